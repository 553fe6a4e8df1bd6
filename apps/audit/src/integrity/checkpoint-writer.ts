import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { signCheckpoint } from '@keyway/audit-chain';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { type ChainHead } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { checkpointInconsistency } from './checkpoint-consistency';
import { CHECKPOINT_KEYS, type CheckpointKeys } from './checkpoint-keys';
import { CheckpointsRepository, type StoredCheckpoint } from './checkpoints.repository';

/** Advisory lock held while checkpoints are numbered and stored: one writer at a time. */
export const CHECKPOINT_LOCK = 0x6b6163; // "kac"

/** Signs chain heads and stores the checkpoints, in the caller's transaction. */
@Injectable()
export class CheckpointWriter {
  private readonly logger = new Logger('checkpoints');

  constructor(
    @Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeys,
    private readonly checkpoints: CheckpointsRepository,
    private readonly events: AuditEventsRepository,
    private readonly clock: Clock,
  ) {}

  /** Waits for the checkpoint lock (released when the transaction ends), then signs. */
  async signLocked(
    manager: EntityManager,
    heads: readonly ChainHead[],
  ): Promise<StoredCheckpoint[]> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK]);
    return this.sign(manager, heads);
  }

  /**
   * Signs the heads that extend their previous checkpoint (`checkpoint-consistency.ts`); a head
   * that does not (tampered by SQL) is not signed and is logged, so the checks keep failing.
   * `startMoved`: retention moved the starts. The caller holds `CHECKPOINT_LOCK`.
   */
  async sign(
    manager: EntityManager,
    candidates: readonly ChainHead[],
    { startMoved = false }: { startMoved?: boolean } = {},
  ): Promise<StoredCheckpoint[]> {
    if (candidates.length === 0) return [];
    const previous = await this.checkpoints.latestOf(
      manager,
      candidates.map((head) => head.workspaceId),
    );
    const hashes = await this.events.storedHashesAt(
      manager,
      candidates.flatMap((head) => {
        const before = previous.get(head.workspaceId);
        return before === undefined
          ? []
          : [{ workspaceId: head.workspaceId, position: before.size }];
      }),
    );
    const heads = candidates.filter((head) => {
      const refusal = checkpointInconsistency(
        previous.get(head.workspaceId) ?? null,
        head,
        hashes.get(head.workspaceId) ?? null,
        startMoved,
      );
      if (refusal !== null) {
        this.logger.error(`not signing the chain of ${head.workspaceId}: ${refusal}`);
      }
      return refusal === null;
    });
    if (heads.length === 0) return [];
    const time = this.clock.now().toISOString();
    const { signer, origin } = this.keys;
    const stored = heads.map((head): StoredCheckpoint => {
      const note = signCheckpoint(
        {
          originPrefix: origin,
          workspaceId: head.workspaceId,
          size: head.size,
          headHash: head.headHash,
          startPosition: head.startPosition,
          startPrevHash: head.startPrevHash,
          time,
        },
        signer,
      );
      return {
        workspaceId: head.workspaceId,
        sequence: (previous.get(head.workspaceId)?.sequence ?? 0) + 1,
        eventId: randomUUID(),
        origin: `${origin}/${head.workspaceId}`,
        size: head.size,
        headHash: head.headHash,
        startPosition: head.startPosition,
        startPrevHash: head.startPrevHash,
        signedAt: time,
        keyName: signer.name,
        keyId: signer.keyId,
        note,
      };
    });
    await this.checkpoints.insert(manager, stored);
    return stored;
  }
}
