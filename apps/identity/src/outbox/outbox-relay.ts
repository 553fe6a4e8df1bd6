import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { Gauge, Histogram, register } from 'prom-client';
import { type DataSource } from 'typeorm';
import { EventPublisher } from '@keyway/platform-kafka';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { OutboxRepository } from './outbox.repository';

const PUBLISHED_RETENTION = '24 hours';
const PRUNE_EVERY_MS = 10 * 60_000;

const lagSeconds =
  (register.getSingleMetric('keyway_outbox_lag_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'keyway_outbox_lag_seconds',
    help: 'Time from an event being committed to it being acknowledged by Kafka',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });
const pendingGauge =
  (register.getSingleMetric('keyway_outbox_pending') as Gauge | undefined) ??
  new Gauge({
    name: 'keyway_outbox_pending',
    help: 'Outbox messages not yet published (last batch)',
  });

/**
 * Publishes the outbox to Kafka at least once. `EventStore.append` writes each event to the
 * outbox in the transaction that records it; the relay sends a batch, waits for Kafka's
 * acknowledgement, then marks it published in the same transaction that locked it. A crash between the two publishes the
 * batch again; consumers drop the duplicates by (subject, sequence). It wakes on NOTIFY from the
 * outbox trigger and polls as a fallback.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastPrune = 0;
  /** A commit was notified while the relay was busy: look again before sleeping. */
  private notified = false;
  private listener: Client | undefined;
  /** Test hook: runs after Kafka acknowledged a batch and before it is marked published. */
  afterPublish: ((ids: string[]) => Promise<void>) | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly publisher: EventPublisher,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Runs after the HTTP server has drained, so every accepted change is in the outbox: stop the
   * loop, then publish what is left (best effort; another replica or the next start does the rest).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.notified = true;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    try {
      while ((await this.relayOnce()) > 0);
    } catch (error) {
      this.logger.warn(`final outbox flush failed: ${String(error)}`);
    }
  }

  /** Publishes one batch; returns how many messages it published (0: nothing to do or not leader). */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.outbox.tryLeadRelay(tx))) return 0;
      const messages = await this.outbox.findUnpublished(tx, this.config.outbox.batchSize);
      pendingGauge.set(messages.length);
      if (messages.length === 0) return 0;
      await this.publisher.send(
        messages.map((message) => ({
          topic: message.topic,
          key: message.messageKey,
          value: message.payload,
          headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
        })),
      );
      const ids = messages.map((message) => message.id);
      await this.afterPublish?.(ids);
      await this.outbox.markPublished(tx, ids);
      const now = Date.now();
      for (const message of messages) {
        lagSeconds.observe((now - message.createdAt.getTime()) / 1000);
      }
      return messages.length;
    });
  }

  private async run(): Promise<void> {
    await this.listen();
    let failures = 0;
    while (this.running) {
      try {
        this.notified = false;
        const published = await this.relayOnce();
        failures = 0;
        if (published === this.config.outbox.batchSize) continue; // more is waiting
        await this.pruneIfDue();
        await this.sleep(this.config.outbox.pollIntervalMs);
      } catch (error) {
        failures++;
        this.logger.warn(`outbox relay failed (${failures} in a row): ${String(error)}`);
        await this.sleep(Math.min(200 * 2 ** failures, 5_000));
      }
    }
  }

  /**
   * Forgets rows published over a day ago: the event store keeps every event, the outbox only
   * needs what is not yet on Kafka (and a day of history to look into a delivery).
   */
  prune(): Promise<number> {
    return this.outbox.deletePublishedBefore(PUBLISHED_RETENTION);
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.prune();
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private onNotification(): void {
    this.notified = true;
    this.wake?.();
  }

  /** LISTEN on a dedicated connection so a commit wakes the relay at once. */
  private async listen(): Promise<void> {
    const { postgres } = this.config;
    const client = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      database: postgres.database,
      ...(postgres.password === undefined ? {} : { password: postgres.password }),
    });
    client.on('notification', () => this.onNotification());
    client.on('error', (error) => {
      this.logger.warn(`outbox listener lost: ${error.message}; polling until it is back`);
      this.listener = undefined;
      setTimeout(() => void (this.running && this.listen()), 1_000);
    });
    try {
      await client.connect();
      await client.query('LISTEN keyway_outbox');
      this.listener = client;
    } catch (error) {
      this.logger.warn(`cannot LISTEN for outbox commits: ${String(error)}; polling`);
      await client.end().catch(() => undefined);
      if (this.running) setTimeout(() => void (this.running && this.listen()), 1_000);
    }
  }
}
