import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { redisKeys } from '../record/redis-keys';

/**
 * Key hash → key id. The mapping never changes once written (a new secret has a new hash), so
 * it is cached in process: verifying a known key then costs exactly one Redis round trip, the
 * verify script, which reads every mutable fact (status, expiry, the hashes still accepted) from
 * the key's record. Revocation is never served from this cache. Unknown hashes are not cached:
 * a key is found the moment its issue is projected.
 */
@Injectable()
export class KeyIdCache {
  private readonly cache: LRUCache<string, string>;

  constructor(
    private readonly redis: Redis,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.cache = new LRUCache({ max: config.verification.keyIdCacheSize });
  }

  /** The cached id, without asking Redis. */
  cached(keyHash: string): string | undefined {
    return this.cache.get(keyHash);
  }

  async keyIdOf(keyHash: string): Promise<string | null> {
    const cached = this.cache.get(keyHash);
    if (cached !== undefined) return cached;
    const keyId = await this.redis.get(redisKeys.hashIndex(keyHash));
    if (keyId !== null) this.cache.set(keyHash, keyId);
    return keyId;
  }
}
