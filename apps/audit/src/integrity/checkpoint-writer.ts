import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { signCheckpoint } from '@keyway/audit-chain';
import { type ChainHead } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { CHECKPOINT_KEYS, type CheckpointKeys } from './checkpoint-keys';
import { CheckpointsRepository, type StoredCheckpoint } from './checkpoints.repository';

/** Advisory lock held while checkpoints are numbered and stored: one writer at a time. */
export const CHECKPOINT_LOCK = 0x6b6163; // "kac"

/** Signs chain heads and stores the checkpoints, in the caller's transaction. */
@Injectable()
export class CheckpointWriter {
  constructor(
    @Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeys,
    private readonly checkpoints: CheckpointsRepository,
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

  /** Signs; the caller holds `CHECKPOINT_LOCK`. */
  async sign(manager: EntityManager, heads: readonly ChainHead[]): Promise<StoredCheckpoint[]> {
    if (heads.length === 0) return [];
    const last = await this.checkpoints.lastSequences(
      manager,
      heads.map((head) => head.workspaceId),
    );
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
        sequence: (last.get(head.workspaceId) ?? 0) + 1,
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
