import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { OUTCOME_COLUMNS } from '../migrations/1732320000200-chained-trail';
import { type ActivityAddition } from './usage-aggregation';

const outcomeList = OUTCOME_COLUMNS.join(', ');
const outcomeParams = OUTCOME_COLUMNS.map((_, index) => `$${index + 6}::bigint[]`).join(', ');
const outcomeSums = OUTCOME_COLUMNS.map(
  (column) => `${column} = key_activity.${column} + EXCLUDED.${column}`,
).join(', ');

/** A key's activity as read; outcome totals are bigint text. */
export interface KeyActivityRow {
  readonly first_seen_at: Date;
  readonly last_seen_at: Date;
  readonly last_used_at: Date | null;
  readonly [column: string]: string | Date | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** `key_activity`: per key, first and last seen, last used, totals by outcome. */
@Injectable()
export class KeyActivityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Folds the additions (sorted by key) into each key's row, in one statement. */
  async add(manager: EntityManager, additions: readonly ActivityAddition[]): Promise<void> {
    if (additions.length === 0) return;
    await manager.query(
      `INSERT INTO key_activity (key_id, workspace_id, first_seen_at, last_seen_at, last_used_at,
                                 ${outcomeList})
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[],
                            $5::timestamptz[], ${outcomeParams})
       ON CONFLICT (key_id) DO UPDATE SET
         first_seen_at = LEAST(key_activity.first_seen_at, EXCLUDED.first_seen_at),
         last_seen_at = GREATEST(key_activity.last_seen_at, EXCLUDED.last_seen_at),
         last_used_at = GREATEST(key_activity.last_used_at, EXCLUDED.last_used_at),
         ${outcomeSums}`,
      [
        additions.map((row) => row.keyId),
        additions.map((row) => row.workspaceId),
        additions.map((row) => iso(row.firstSeenAt)),
        additions.map((row) => iso(row.lastSeenAt)),
        additions.map((row) => (row.lastUsedAt === null ? null : iso(row.lastUsedAt))),
        ...OUTCOME_COLUMNS.map((_, index) => additions.map((row) => row.counts[index] ?? 0)),
      ],
    );
  }

  async findOfKey(workspaceId: string, keyId: string): Promise<KeyActivityRow | null> {
    const rows: KeyActivityRow[] = await this.dataSource.query(
      `SELECT first_seen_at, last_seen_at, last_used_at, ${outcomeList}
         FROM key_activity WHERE key_id = $1 AND workspace_id = $2`,
      [keyId, workspaceId],
    );
    return rows[0] ?? null;
  }
}
