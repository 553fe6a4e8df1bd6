import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Clock } from '../clock';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { EventStoreError, EventStoreErrorCode } from '../event-store/event-store.errors';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { KeyAggregate } from './key-aggregate';
import { KeysRepository } from './keys.repository';

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
    private readonly keys: KeysRepository,
    private readonly aggregate: KeyAggregate,
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
    let expired = 0;
    for (const key of await this.keys.findDueForExpiry(now, BATCH)) {
      try {
        const { recorded } = await this.aggregate.execute({
          workspaceId: key.workspaceId,
          keyId: key.id,
          command: { kind: 'expire' },
          context: { actor: 'system' },
        });
        expired += recorded.length;
      } catch (error) {
        const anotherReplicaWon =
          error instanceof EventStoreError &&
          error.code === EventStoreErrorCode.CONCURRENCY_CONFLICT;
        if (!anotherReplicaWon) throw error;
      }
    }
    if (expired > 0) this.logger.log(`expired ${expired} key(s)`);
    return expired;
  }
}
