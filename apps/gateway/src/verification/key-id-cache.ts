import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { decodeLocation, type KeyLocation, redisKeys } from '../record/redis-keys';

/**
 * Key hash → key location (id, and the owning identity's tag for a key owned by an identity).
 * The mapping never changes once written (a new secret has a new hash; a key never moves to or
 * from an identity), so it is cached in process: verifying a known key then costs exactly one
 * Redis round trip, the verify script, which reads every mutable fact (status, expiry, the hashes
 * still accepted, the identity's scopes) from the records. Revocation is never served from this
 * cache. Unknown hashes are not cached: a key is found the moment its issue is projected.
 */
@Injectable()
export class KeyIdCache {
  private readonly cache: LRUCache<string, KeyLocation>;

  constructor(
    private readonly redis: Redis,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.cache = new LRUCache({ max: config.verification.keyIdCacheSize });
  }

  /** The cached location, without asking Redis. */
  cached(keyHash: string): KeyLocation | undefined {
    return this.cache.get(keyHash);
  }

  async locationOf(keyHash: string): Promise<KeyLocation | null> {
    const cached = this.cache.get(keyHash);
    if (cached !== undefined) return cached;
    const value = await this.redis.get(redisKeys.hashIndex(keyHash));
    if (value === null) return null;
    const location = decodeLocation(value);
    this.cache.set(keyHash, location);
    return location;
  }
}
