import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { Clock } from '../clock';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { Aggregates } from '../event-store/aggregates';
import { ConcurrencyConflict } from '../event-store/event-store.errors';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { keyCommand } from './key-aggregate';

const BATCH = 200;
const HOUSEKEEPING_EVERY_MS = 60_000;

/**
 * Emits `key.expired` when a key's time has passed, exactly once even with several replicas:
 * the expire decision is a no-op on a key no longer active, and of two replicas appending the
 * same next sequence one gets a conflict and moves on. Also forgets old idempotency records.
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private lastHousekeeping = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregates: Aggregates,
    private readonly idempotency: IdempotencyRepository,
    private readonly clock: Clock,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.logger.warn(`expiry scan failed: ${String(error)}`))
        .finally(() => {
          this.timer = setTimeout(tick, this.config.expiry.scanIntervalMs);
        });
    };
    this.timer = setTimeout(tick, this.config.expiry.scanIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
    clearTimeout(this.timer);
  }

  /** Expires every key due now; returns how many this replica expired. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    if (now.getTime() - this.lastHousekeeping > HOUSEKEEPING_EVERY_MS) {
      this.lastHousekeeping = now.getTime();
      await this.idempotency.deleteExpired();
    }
    const due = (await this.dataSource.query(
      `SELECT id, workspace_id FROM keys WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, BATCH],
    )) as { id: string; workspace_id: string }[];
    let expired = 0;
    for (const key of due) {
      try {
        const { recorded } = await this.aggregates.execute(
          keyCommand(key.workspace_id, key.id, { kind: 'expire' }, { actor: 'system' }),
        );
        expired += recorded.length;
      } catch (error) {
        if (!(error instanceof ConcurrencyConflict)) throw error; // another replica got there first
      }
    }
    if (expired > 0) this.logger.log(`expired ${expired} key(s)`);
    return expired;
  }
}
