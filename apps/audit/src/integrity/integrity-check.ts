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
import { CHECKPOINT_KEYS, type CheckpointKeys } from './checkpoint-keys';
import { CheckpointsRepository, type StoredCheckpoint } from './checkpoints.repository';

/** Rows fetched per round trip while streaming a chain. */
const STREAM_BATCH = 2_000;

/**
 * Verifies a workspace's chain end to end against its latest checkpoint: the head, the checkpoint
 * and the records are read in one REPEATABLE READ snapshot, the records streamed in position
 * order through the `ChainVerifier` (memory does not grow with the chain).
 */
@Injectable()
export class IntegrityCheck {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly heads: ChainHeadsRepository,
    private readonly checkpoints: CheckpointsRepository,
    @Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeys,
    private readonly clock: Clock,
  ) {}

  async run(workspaceId: string): Promise<IntegrityReport> {
    const started = performance.now();
    const checkedAt = this.clock.now().toISOString();
    const runner = this.dataSource.createQueryRunner('slave');
    const client = (await runner.connect()) as PoolClient;
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
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
