import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
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
    const { defaultDays } = this.config.retention;
    const days = await this.retention.all(this.dataSource.manager);
    const records: Record<string, number> = {};
    let after: string | null = null;
    for (;;) {
      const heads = await this.heads.page(this.dataSource.manager, after, 1_000);
      for (const head of heads) {
        const cutoff = new Date(
          now.getTime() - (days.get(head.workspaceId) ?? defaultDays) * DAY_MS,
        );
        const deleted = await this.pruneTrail(head.workspaceId, cutoff);
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
    const rows: Array<{ position: string; expired: boolean }> = await manager.query(
      `SELECT position, recorded_at < $3 AS expired FROM audit_events
        WHERE workspace_id = $1 AND position >= $2 ORDER BY position LIMIT $4`,
      [workspaceId, head.startPosition, cutoff, this.config.retention.batchSize],
    );
    const firstKept = rows.findIndex((row) => !row.expired);
    const expired = firstKept < 0 ? rows.length : firstKept;
    const last = rows[expired - 1];
    if (last === undefined) return 0;
    const [record]: Array<{ hash: string }> = await manager.query(
      `SELECT record::jsonb ->> 'hash' AS hash FROM audit_events
        WHERE workspace_id = $1 AND position = $2`,
      [workspaceId, last.position],
    );
    if (!record) throw new Error('the last expired record vanished');
    await manager.query(
      `DELETE FROM audit_events WHERE workspace_id = $1 AND position >= $2 AND position <= $3`,
      [workspaceId, head.startPosition, last.position],
    );
    const moved = { ...head, startPosition: Number(last.position) + 1, startPrevHash: record.hash };
    await this.heads.moveStart(manager, moved);
    await this.writer.sign(manager, [moved]);
    return expired;
  }

  private async pruneTable(table: PrunedTable, now: Date, shortestDays: number): Promise<number> {
    const { batchSize, defaultDays } = this.config.retention;
    const earliest = new Date(now.getTime() - shortestDays * DAY_MS);
    let total = 0;
    for (;;) {
      // TypeORM answers a DELETE with [rows, row count].
      const [, deleted]: [unknown[], number] = await this.dataSource.query(
        `DELETE FROM ${table.table} WHERE ctid = ANY(ARRAY(
           SELECT t.ctid FROM ${table.table} t
             LEFT JOIN audit_retention r ON r.workspace_id = t.workspace_id
            WHERE t.${table.timeColumn} < $3
              AND t.${table.timeColumn} < $1::timestamptz - make_interval(days => coalesce(r.days, $2))
              ${table.keep === undefined ? '' : `AND NOT (${table.keep})`}
            LIMIT $4))`,
        [now, defaultDays, earliest, batchSize],
      );
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }
}
