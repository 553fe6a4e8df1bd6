import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { OUTCOME_COLUMNS } from '../migrations/1732320000200-chained-trail';
import { type Granularity, type RollupAddition } from './usage-aggregation';

const outcomeList = OUTCOME_COLUMNS.join(', ');
const outcomeParams = OUTCOME_COLUMNS.map((_, index) => `$${index + 5}::bigint[]`).join(', ');
const outcomeSums = OUTCOME_COLUMNS.map(
  (column) => `${column} = usage_rollups.${column} + EXCLUDED.${column}`,
).join(', ');

/** One bucket as read: its start and a count per outcome column (bigint as text). */
export interface RollupRow {
  readonly bucket_start: Date;
  readonly [column: string]: string | Date;
}

/** `usage_rollups`: per key, counts by outcome per UTC minute, hour and day. */
@Injectable()
export class UsageRollupsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds the counts (sorted by primary key) to their buckets, in one statement. */
  async add(manager: EntityManager, additions: readonly RollupAddition[]): Promise<void> {
    if (additions.length === 0) return;
    await manager.query(
      `INSERT INTO usage_rollups (key_id, granularity, bucket_start, workspace_id, ${outcomeList})
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], ${outcomeParams})
       ON CONFLICT (key_id, granularity, bucket_start) DO UPDATE SET ${outcomeSums}`,
      [
        additions.map((row) => row.keyId),
        additions.map((row) => row.granularity),
        additions.map((row) => new Date(row.bucketStart).toISOString()),
        additions.map((row) => row.workspaceId),
        ...OUTCOME_COLUMNS.map((_, index) => additions.map((row) => row.counts[index] ?? 0)),
      ],
    );
  }

  /** The key's non-empty buckets in [from, to), oldest first. */
  async seriesOfKey(
    workspaceId: string,
    keyId: string,
    granularity: Granularity,
    from: Date,
    to: Date,
  ): Promise<RollupRow[]> {
    return this.dataSource.query(
      `SELECT bucket_start, ${outcomeList}
         FROM usage_rollups
        WHERE key_id = $1 AND granularity = $2 AND bucket_start >= $3 AND bucket_start < $4
          AND workspace_id = $5
        ORDER BY bucket_start`,
      [keyId, granularity, from.toISOString(), to.toISOString(), workspaceId],
    );
  }
}
