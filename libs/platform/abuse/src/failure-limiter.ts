import { LRUCache } from 'lru-cache';
import { clientOf } from './client-of';

export interface FailureLimiterOptions {
  /** Failures one client may have per window; the next request is refused. */
  readonly limit: number;
  readonly windowMs: number;
  /** Clients tracked at once (least recently seen dropped first). Default 100,000. */
  readonly maxClients?: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failures (invalid keys, failed authentications) per client (`clientOf`: an IPv4 address
 * or an IPv6 /64) in fixed windows; once a client has `limit` of them, it is refused for the rest
 * of the window. In process, in a bounded LRU: N replicas allow up to N × the limit, which is
 * enough to stop guessing keys and costs no round trip.
 */
export class FailureLimiter {
  private readonly windows: LRUCache<string, Window>;

  constructor(private readonly options: FailureLimiterOptions) {
    this.windows = new LRUCache({ max: options.maxClients ?? 100_000 });
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfterSeconds(address: string | null, now = Date.now()): number {
    if (address === null) return 0;
    const window = this.windows.get(clientOf(address));
    if (!window || window.failures < this.options.limit) return 0;
    const endsAt = window.startedAt + this.options.windowMs;
    if (now >= endsAt) return 0;
    return Math.max(1, Math.ceil((endsAt - now) / 1000));
  }

  recordFailure(address: string | null, now = Date.now()): void {
    if (address === null) return;
    const client = clientOf(address);
    const window = this.windows.get(client);
    if (!window || now >= window.startedAt + this.options.windowMs) {
      this.windows.set(client, { startedAt: now, failures: 1 });
    } else {
      window.failures++;
    }
  }
}
