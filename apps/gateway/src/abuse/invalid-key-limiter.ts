import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Counter, register } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

const blocked =
  (register.getSingleMetric('keyway_gateway_invalid_key_blocks_total') as Counter | undefined) ??
  new Counter({
    name: 'keyway_gateway_invalid_key_blocks_total',
    help: 'Requests refused because their client address sent too many invalid keys',
  });

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Repeated invalid keys (malformed, unknown, bad session tokens) from one client address are
 * refused for the rest of the window, before any Redis command. Counted per replica, in a
 * bounded LRU of addresses: N replicas allow up to N × the limit, which is enough to stop
 * guessing (178 random bits) and cheap enough to stay off Redis.
 */
@Injectable()
export class InvalidKeyLimiter {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000 });
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.limit = config.abuse.limit;
    this.windowMs = config.abuse.windowMs;
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfterSeconds(address: string | null, now = Date.now()): number {
    if (address === null) return 0;
    const window = this.windows.get(address);
    if (!window || window.failures < this.limit) return 0;
    const endsAt = window.startedAt + this.windowMs;
    if (now >= endsAt) return 0;
    blocked.inc();
    return Math.ceil((endsAt - now) / 1000);
  }

  recordFailure(address: string | null, now = Date.now()): void {
    if (address === null) return;
    const window = this.windows.get(address);
    if (!window || now >= window.startedAt + this.windowMs) {
      this.windows.set(address, { startedAt: now, failures: 1 });
    } else {
      window.failures++;
    }
  }
}
