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
import { type KeyCommand } from './key.decide';
import { KeysRepository } from './keys.repository';

const BATCH = 200;
const HOUSEKEEPING_EVERY_MS = 60_000;

/**
 * Emits `key.expired` when a key's time has passed, and `key.expiring` the configured lead time
 * before a secret stops, exactly once even with several replicas: the decisions are no-ops on a
 * key no longer active or already announced, and of two replicas appending the same next sequence
 * one gets a conflict and moves on. Also forgets old idempotency records.
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

  /** Expires every key due now and announces those expiring soon; returns how many events. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    if (now.getTime() - this.lastHousekeeping > HOUSEKEEPING_EVERY_MS) {
      this.lastHousekeeping = now.getTime();
      await this.idempotency.deleteExpired();
    }
    const expired = await this.runOn(await this.keys.findDueForExpiry(now, BATCH), {
      kind: 'expire',
    });
    if (expired > 0) this.logger.log(`expired ${expired} key(s)`);
    const leadTimeMs = this.config.expiry.expiringLeadTimeMs;
    if (leadTimeMs === null) return expired;
    const announced = await this.runOn(await this.keys.findDueForExpiring(now, leadTimeMs, BATCH), {
      kind: 'announceExpiring',
      leadTimeMs,
    });
    if (announced > 0) this.logger.log(`announced ${announced} secret(s) expiring`);
    return expired + announced;
  }

  /** `command` on each key; returns how many events this replica recorded. */
  private async runOn(
    keys: readonly { id: string; workspaceId: string }[],
    command: KeyCommand,
  ): Promise<number> {
    let recorded = 0;
    for (const key of keys) {
      try {
        const executed = await this.aggregate.execute({
          workspaceId: key.workspaceId,
          keyId: key.id,
          command,
          context: { actor: 'system' },
        });
        recorded += executed.recorded.length;
      } catch (error) {
        const anotherReplicaWon =
          error instanceof EventStoreError &&
          error.code === EventStoreErrorCode.CONCURRENCY_CONFLICT;
        if (!anotherReplicaWon) throw error;
      }
    }
    return recorded;
  }
}
