import { Inject, Injectable } from '@nestjs/common';
import { FailureLimiter } from '@keyway/platform-abuse';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { counter } from '../metrics';

const blocked = counter(
  'keyway_gateway_invalid_key_blocks_total',
  'Requests refused because their client address sent too many invalid keys',
);

/**
 * Repeated invalid keys (malformed, unknown, bad session tokens) from one client are refused for
 * the rest of the window, before any Redis command. A client is an IPv4 address or an IPv6 /64,
 * however the address is written (`@keyway/platform-abuse`, shared with identity's failed
 * authentications). Counted per replica: N replicas allow up to N × the limit, enough to stop
 * guessing 178-bit keys and cheap enough to stay off Redis.
 */
@Injectable()
export class InvalidKeyLimiter {
  private readonly failures: FailureLimiter;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.failures = new FailureLimiter({
      limit: config.abuse.limit,
      windowMs: config.abuse.windowMs,
    });
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfterSeconds(address: string | null, now = Date.now()): number {
    const seconds = this.failures.retryAfterSeconds(address, now);
    if (seconds > 0) blocked.inc();
    return seconds;
  }

  recordFailure(address: string | null, now = Date.now()): void {
    this.failures.recordFailure(address, now);
  }
}
