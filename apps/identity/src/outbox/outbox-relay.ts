import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { Histogram, Gauge, register } from 'prom-client';
import { type DataSource } from 'typeorm';
import { EventPublisher } from '@keyway/platform-kafka';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { Inject } from '@nestjs/common';

const PUBLISHED_RETENTION = '24 hours';
const PRUNE_EVERY_MS = 10 * 60_000;

/** Only one relay publishes at a time (across replicas), which keeps each key's events in order. */
const RELAY_LOCK_ID = 0x6f7574626f78; // "outbox"

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: string;
  created_at: Date;
}

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
 * Publishes the outbox to Kafka at least once: a batch is sent, acknowledged by Kafka, then
 * marked published in the same transaction that locked it. A crash between the two publishes the
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
    return this.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        RELAY_LOCK_ID,
      ])) as { locked: boolean }[];
      if (!lock?.locked) return 0;
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, topic, message_key, payload, created_at FROM outbox
         WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [this.config.outbox.batchSize],
      );
      pendingGauge.set(rows.length);
      if (rows.length === 0) return 0;
      await this.publisher.send(
        rows.map((row) => ({
          topic: row.topic,
          key: row.message_key,
          value: row.payload,
          headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
        })),
      );
      const ids = rows.map((row) => row.id);
      await this.afterPublish?.(ids);
      await manager.query('UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1)', [
        ids,
      ]);
      const now = Date.now();
      for (const row of rows) lagSeconds.observe((now - row.created_at.getTime()) / 1000);
      return rows.length;
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
  async prune(): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM outbox WHERE published_at < clock_timestamp() - interval '${PUBLISHED_RETENTION}'`,
    )) as [unknown, number];
    return deleted;
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
