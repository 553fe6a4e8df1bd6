import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { recordHash } from '@keyway/audit-chain';
import { AuditRecord, type UnhashedAuditRecord } from '@keyway/contracts';
import { type ChainHead, ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { PeriodicTask } from '../periodic-task';
import { CHECKPOINT_LOCK as CHECKPOINT_LOCK_ID, CheckpointWriter } from './checkpoint-writer';
import { PRUNED_TABLES, type PrunedTable } from './pruned-tables';
import { RetentionRepository } from './retention.repository';

/** Advisory lock of one pruning run: one replica prunes at a time. */
const RETENTION_LOCK = 0x6b6172; // "kar"
const DAY_MS = 86_400_000;

export interface PruneResult {
  /** Trail records deleted, per workspace. */
  readonly records: Record<string, number>;
  /** Rows deleted per other table. */
  readonly rows: Record<string, number>;
}

/**
 * Deletes what is older than each workspace's retention, in bounded batches. Trail records go
 * from the front of each chain only: each batch deletes them, moves the head's start and signs a
 * checkpoint saying where the chain now starts, in one transaction, so verification keeps passing.
 */
@Injectable()
export class RetentionPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('retention');
  private readonly task: PeriodicTask;

  constructor(
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly heads: ChainHeadsRepository,
    private readonly retention: RetentionRepository,
    private readonly writer: CheckpointWriter,
    private readonly clock: Clock,
  ) {
    this.task = new PeriodicTask('retention', config.retention.intervalMs, async () => {
      try {
        await this.pruneAll();
      } catch (error) {
        this.logger.warn(
          `pruning failed, retrying next round: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return false;
    });
  }

  /** The first run one interval after boot, not at boot. */
  onApplicationBootstrap(): void {
    this.task.start(this.config.retention.intervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One run over every workspace and table; null when another replica is pruning. */
  async pruneAll(): Promise<PruneResult | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [lock]: Array<{ locked: boolean }> = await runner.query(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [RETENTION_LOCK],
      );
      if (lock?.locked !== true) return null;
      try {
        return await this.prune();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async prune(): Promise<PruneResult> {
    const now = this.clock.now();
    const { defaultDays, minDays } = this.config.retention;
    // A row changed by hand cannot shorten the retention below the deployment's floor.
    const stored = await this.retention.all(this.dataSource.manager);
    const days = new Map(
      [...stored].map(([workspace, value]) => [workspace, Math.max(value, minDays)]),
    );
    const records: Record<string, number> = {};
    let after: string | null = null;
    for (;;) {
      const heads = await this.heads.page(this.dataSource.manager, after, 1_000);
      for (const head of heads) {
        const cutoff = new Date(
          now.getTime() - (days.get(head.workspaceId) ?? defaultDays) * DAY_MS,
        );
        // One tampered chain must not stop the others' pruning.
        const deleted = await this.pruneTrail(head.workspaceId, cutoff).catch((error: unknown) => {
          this.logger.error(error instanceof Error ? error.message : String(error));
          return 0;
        });
        if (deleted > 0) records[head.workspaceId] = deleted;
      }
      if (heads.length < 1_000) break;
      after = heads[heads.length - 1]?.workspaceId ?? null;
    }
    const shortest = Math.min(defaultDays, ...days.values());
    const rows: Record<string, number> = {};
    for (const table of PRUNED_TABLES)
      rows[table.table] = await this.pruneTable(table, now, shortest);
    if (Object.keys(records).length > 0) {
      this.logger.log(`pruned ${JSON.stringify({ records, rows })}`);
    }
    return { records, rows };
  }

  /** Deletes a chain's records recorded before `cutoff`, from its start on; returns how many. */
  async pruneTrail(workspaceId: string, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.dataSource.transaction((manager) =>
        this.pruneTrailBatch(manager, workspaceId, cutoff),
      );
      total += deleted;
      if (deleted < this.config.retention.batchSize) return total;
    }
  }

  private async pruneTrailBatch(
    manager: EntityManager,
    workspaceId: string,
    cutoff: Date,
  ): Promise<number> {
    // The checkpoint lock first, then the head: the order the scheduler and appenders keep.
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK_ID]);
    const head = await this.heads.lockOne(manager, workspaceId);
    if (head === null || head.startPosition > head.size) return 0;
    const rows: Array<{ position: string; record: string }> = await manager.query(
      `SELECT position, record FROM audit_events
        WHERE workspace_id = $1 AND position >= $2 ORDER BY position LIMIT $3`,
      [workspaceId, head.startPosition, this.config.retention.batchSize],
    );
    const expired = expiredPrefix(rows, head, cutoff);
    if (expired === null) {
      throw new Error(`the chain of ${workspaceId} does not verify where it expires: not pruned`);
    }
    const last = rows[expired.count - 1];
    if (last === undefined) return 0;
    await manager.query(
      `DELETE FROM audit_events WHERE workspace_id = $1 AND position >= $2 AND position <= $3`,
      [workspaceId, head.startPosition, last.position],
    );
    const moved = {
      ...head,
      startPosition: Number(last.position) + 1,
      startPrevHash: expired.lastHash,
    };
    await this.heads.moveStart(manager, moved);
    // Unsigned: the chain does not extend its last checkpoint; pruning it would launder that.
    const [signed] = await this.writer.sign(manager, [moved], { startMoved: true });
    if (signed === undefined) throw new Error(`the chain of ${workspaceId} is not consistent`);
    return expired.count;
  }

  private async pruneTable(table: PrunedTable, now: Date, shortestDays: number): Promise<number> {
    const { batchSize, defaultDays, minDays } = this.config.retention;
    const earliest = new Date(now.getTime() - shortestDays * DAY_MS);
    let total = 0;
    for (;;) {
      // TypeORM answers a DELETE with [rows, row count].
      const [, deleted]: [unknown[], number] = await this.dataSource.query(
        `DELETE FROM ${table.table} WHERE ctid = ANY(ARRAY(
           SELECT t.ctid FROM ${table.table} t
             LEFT JOIN audit_retention r ON r.workspace_id = t.workspace_id
            WHERE t.${table.timeColumn} < $3
              AND t.${table.timeColumn} < $1::timestamptz - make_interval(days => greatest(coalesce(r.days, $2), $5))
              ${table.keep === undefined ? '' : `AND NOT (${table.keep})`}
            LIMIT $4))`,
        [now, defaultDays, earliest, batchSize, minDays],
      );
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }
}

/**
 * How many records from the chain's start expired before `cutoff`, judged by each record's own
 * `recordedAt` (the hashed text, not the `recorded_at` column beside it), and the hash of the last
 * one; null when those records do not verify: a hash that is not its content's, a broken link from
 * the start, or a next record (or the head) that links to another hash. Pruning then would make a
 * rewrite or a forged date look like retention.
 */
export function expiredPrefix(
  rows: ReadonlyArray<{ position: string; record: string }>,
  head: ChainHead,
  cutoff: Date,
): { count: number; lastHash: string } | null {
  let previous = head.startPrevHash;
  let count = 0;
  for (const row of rows) {
    let value: unknown;
    let parsed: AuditRecord;
    try {
      value = JSON.parse(row.record);
      parsed = AuditRecord.parse(value);
    } catch {
      return null;
    }
    if (parsed.prevHash !== previous || parsed.position !== Number(row.position)) return null;
    if (Date.parse(parsed.recordedAt) >= cutoff.getTime()) break;
    if (recordHash(value as UnhashedAuditRecord) !== parsed.hash) return null;
    previous = parsed.hash;
    count += 1;
  }
  const endOfChain = count === rows.length && Number(rows[rows.length - 1]?.position) === head.size;
  if (count > 0 && endOfChain && previous !== head.headHash) return null;
  return { count, lastHash: previous };
}
