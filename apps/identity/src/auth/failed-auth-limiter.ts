import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { hashKey } from '@keyway/key-material';
import { FailureLimiter } from '@keyway/platform-abuse';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { PEPPER } from '../pepper';

/**
 * Failed authentications per client address (an IPv4 address or an IPv6 /64, as the gateway
 * counts invalid keys: `@keyway/platform-abuse`). From `INVALID_KEY_LIMIT` failures within
 * `INVALID_KEY_WINDOW_S` on, the address is refused for the rest of the window without its key
 * being looked up, except for keys that authenticated on this replica before (as the gateway
 * exempts keys it knows): one client guessing must not lock out every other client behind the
 * same proxy address. Counted per replica, in memory.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly failures: FailureLimiter;
  /** HMACs of keys that authenticated here lately (never the keys themselves). */
  private readonly known = new LRUCache<string, true>({ max: 10_000 });

  constructor(
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    @Inject(PEPPER) private readonly pepper: string,
  ) {
    this.failures = new FailureLimiter(config.invalidKeys);
  }

  /** Seconds the address must wait before presenting this credential, 0 when it may now. */
  retryAfterSeconds(address: string, credential: string | null): number {
    const seconds = this.failures.retryAfterSeconds(address);
    if (seconds === 0 || (credential !== null && this.known.has(hashKey(this.pepper, credential))))
      return 0;
    return seconds;
  }

  recordFailure(address: string): void {
    this.failures.recordFailure(address);
  }

  /** `keyHash`: the authenticated key's HMAC, as the strategy computed it (not hashed twice). */
  recordSuccess(keyHash: string): void {
    this.known.set(keyHash, true);
  }
}
