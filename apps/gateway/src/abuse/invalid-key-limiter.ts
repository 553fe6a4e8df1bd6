import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { counter } from '../metrics';
import { addressHex } from '../record/address-range';

const blocked = counter(
  'keyway_gateway_invalid_key_blocks_total',
  'Requests refused because their client address sent too many invalid keys',
);

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Repeated invalid keys (malformed, unknown, bad session tokens) from one client are refused for
 * the rest of the window, before any Redis command. A client is an IPv4 address or an IPv6 /64
 * (the least any IPv6 subscriber holds), however the address is written. Counted per replica, in
 * a bounded LRU: N replicas allow up to N × the limit, enough to stop guessing 178-bit keys and
 * cheap enough to stay off Redis.
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
    const window = this.windows.get(clientOf(address));
    if (!window || window.failures < this.limit) return 0;
    const endsAt = window.startedAt + this.windowMs;
    if (now >= endsAt) return 0;
    blocked.inc();
    return Math.ceil((endsAt - now) / 1000);
  }

  recordFailure(address: string | null, now = Date.now()): void {
    if (address === null) return;
    const client = clientOf(address);
    const window = this.windows.get(client);
    if (!window || now >= window.startedAt + this.windowMs) {
      this.windows.set(client, { startedAt: now, failures: 1 });
    } else {
      window.failures++;
    }
  }
}

const IPV4_MAPPED = '00000000000000000000ffff';

/** The client an address belongs to: the IPv4 address, or the IPv6 /64, canonically written. */
export function clientOf(address: string): string {
  const hex = addressHex(address);
  if (hex === null) return address;
  return hex.startsWith(IPV4_MAPPED) ? hex : `${hex.slice(0, 16)}/64`;
}
