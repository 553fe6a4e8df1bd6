import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type ProjectedKey } from './projected-key';

const keyRecord = (keyId: string) => `keyway:key:{${keyId}}`;
const hashIndex = (keyHash: string) => `keyway:hash:${keyHash}`;

/**
 * The gateway's Redis projection: one hash per key (`state` JSON and the last applied `sequence`)
 * and an index from each live key hash to the key id.
 */
@Injectable()
export class KeyProjectionStore {
  constructor(private readonly redis: Redis) {}

  async get(keyId: string): Promise<ProjectedKey | null> {
    const state = await this.redis.hget(keyRecord(keyId), 'state');
    return state === null ? null : (JSON.parse(state) as ProjectedKey);
  }

  async appliedSequence(keyId: string): Promise<number> {
    return Number((await this.redis.hget(keyRecord(keyId), 'sequence')) ?? 0);
  }

  async findKeyIdByHash(keyHash: string): Promise<string | null> {
    return this.redis.get(hashIndex(keyHash));
  }

  /** Writes the new state and its hash index entries in one MULTI. */
  async save(previous: ProjectedKey | null, next: ProjectedKey): Promise<void> {
    const tx = this.redis.multi();
    tx.hset(keyRecord(next.keyId), {
      state: JSON.stringify(next),
      sequence: String(next.sequence),
    });
    if (
      previous !== null &&
      previous.keyHash !== next.keyHash &&
      previous.keyHash !== next.previousKeyHash
    ) {
      tx.del(hashIndex(previous.keyHash));
    }
    if (next.status === 'deleted') {
      tx.del(hashIndex(next.keyHash));
      if (next.previousKeyHash !== null) tx.del(hashIndex(next.previousKeyHash));
    } else {
      tx.set(hashIndex(next.keyHash), next.keyId);
      if (next.previousKeyHash !== null && next.previousKeyExpiresAt !== null) {
        tx.set(
          hashIndex(next.previousKeyHash),
          next.keyId,
          'PXAT',
          Date.parse(next.previousKeyExpiresAt),
        );
      }
    }
    const results = await tx.exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
  }
}
