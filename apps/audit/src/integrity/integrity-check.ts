import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { type DataSource } from 'typeorm';
import { type Checkpoint, ChainVerifier, NoteError, openCheckpoint } from '@keyway/audit-chain';
import { type IntegrityReport } from '@keyway/contracts';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { CHECKPOINT_KEYS, type CheckpointKeys } from './checkpoint-keys';
import { CheckpointsRepository, type StoredCheckpoint } from './checkpoints.repository';
import { IntegrityError } from './integrity.errors';

/** Rows fetched per round trip while streaming a chain. */
const STREAM_BATCH = 2_000;

/**
 * The advisory lock (with the workspace's `hashtext` as second key) a check holds for its
 * transaction: one check per workspace at a time, across replicas. "kai".
 */
export const INTEGRITY_LOCK = 0x6b6169;

/**
 * Verifies a workspace's chain end to end against its latest checkpoint: the head, the checkpoint
 * and the records are read in one REPEATABLE READ snapshot, the records streamed in position
 * order through the `ChainVerifier` (memory does not grow with the chain).
 *
 * A check of a large chain takes a while (≈ 50k records/s) and holds a connection of the pool, so
 * one replica runs at most `AUDIT_INTEGRITY_CONCURRENCY` at once, and one workspace one at a time
 * across replicas; a check beyond either answers 503 INTEGRITY_CHECK_BUSY with `Retry-After`.
 */
@Injectable()
export class IntegrityCheck {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly heads: ChainHeadsRepository,
    private readonly checkpoints: CheckpointsRepository,
    @Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeys,
    private readonly clock: Clock,
    @Inject(AUDIT_CONFIG) private readonly config: Pick<AuditConfig, 'integrity'>,
  ) {}

  /** Checks running on this replica now. */
  private running = 0;

  async run(workspaceId: string): Promise<IntegrityReport> {
    if (this.running >= this.config.integrity.concurrency) {
      throw IntegrityError.integrityCheckBusy('replica');
    }
    this.running += 1;
    try {
      return await this.check(workspaceId);
    } finally {
      this.running -= 1;
    }
  }

  private async check(workspaceId: string): Promise<IntegrityReport> {
    const started = performance.now();
    const checkedAt = this.clock.now().toISOString();
    const runner = this.dataSource.createQueryRunner('slave');
    const client = (await runner.connect()) as PoolClient;
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const [lock] = (await runner.query(
        'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
        [INTEGRITY_LOCK, workspaceId],
      )) as Array<{ locked: boolean }>;
      if (lock?.locked !== true) throw IntegrityError.integrityCheckBusy('workspace');
      const head = await this.heads.find(runner.manager, workspaceId);
      const latest = await this.checkpoints.latest(runner.manager, workspaceId);
      const trusted = this.trustedCheckpoint(latest, workspaceId);
      const verifier = new ChainVerifier({
        workspaceId,
        checkpoints: trusted.checkpoint === null ? [] : [trusted.checkpoint],
        storedHead: head ?? undefined,
        defaultStart: head?.startPosition,
      });
      if (trusted.refusal !== null && latest !== null) {
        verifier.report({
          reason: trusted.reason,
          position: latest.size,
          count: 1,
          recordId: null,
          line: null,
          detail: trusted.refusal,
        });
      }
      const rows = client.query(
        new QueryStream(
          'SELECT record FROM audit_events WHERE workspace_id = $1 ORDER BY position',
          [workspaceId],
          { batchSize: STREAM_BATCH, rowMode: 'array' },
        ),
      );
      for await (const row of rows as AsyncIterable<[string]>) verifier.push(row[0]);
      await runner.commitTransaction();
      const report = verifier.finish();
      const { eventId: _eventId, ...checkpoint } = latest ?? { eventId: null };
      return {
        valid: report.valid,
        workspaceId,
        checkedAt,
        records: report.records,
        expected: { start: report.expectedStart, size: report.expectedSize },
        found: {
          firstPosition: report.firstPosition,
          lastPosition: report.lastPosition,
          headHash: report.headHash,
        },
        head:
          head === null
            ? null
            : { size: head.size, headHash: head.headHash, startPosition: head.startPosition },
        checkpoint: latest === null ? null : (checkpoint as Omit<StoredCheckpoint, 'eventId'>),
        breaks: [...report.breaks],
        breaksOmitted: report.breaksOmitted,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  /** The latest checkpoint if a known key signed it for this workspace; else why not. */
  private trustedCheckpoint(
    latest: StoredCheckpoint | null,
    workspaceId: string,
  ): {
    checkpoint: Checkpoint | null;
    refusal: string | null;
    reason: 'checkpoint_signature_invalid' | 'checkpoint_mismatch';
  } {
    if (latest === null) return { checkpoint: null, refusal: null, reason: 'checkpoint_mismatch' };
    try {
      const { checkpoint } = openCheckpoint(latest.note, this.keys.verifiers);
      if (checkpoint.workspaceId !== workspaceId) {
        return {
          checkpoint: null,
          refusal: `the latest checkpoint is signed for ${checkpoint.workspaceId}`,
          reason: 'checkpoint_mismatch',
        };
      }
      return { checkpoint, refusal: null, reason: 'checkpoint_mismatch' };
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      return {
        checkpoint: null,
        refusal: `the latest checkpoint (#${latest.sequence}) is refused: ${error.message}`,
        reason: 'checkpoint_signature_invalid',
      };
    }
  }
}
