import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Admin, type Consumer, Kafka, type EachBatchPayload } from 'kafkajs';
import { TOPICS } from '@keyway/contracts';
import { EventPublisher, kafkaMetrics, messageMark, OwnedPartitions } from '@keyway/platform-kafka';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { counter } from '../metrics';
import { ProjectionApplier } from './projection-applier';
import { ProjectionStatus } from './projection-status';
import { ProjectionStore } from './projection.store';

const PROJECTED_TOPICS = [TOPICS.keys, TOPICS.workspaces] as const;
const DEAD_LETTER = { [TOPICS.keys]: TOPICS.keysDlq, [TOPICS.workspaces]: TOPICS.workspacesDlq };
const WATCH_INTERVAL_MS = 500;
/** How often owned partitions are compared with Redis's progress, to find recreated ones. */
const RECREATED_CHECK_MS = 5_000;
const MAX_RETRY_DELAY_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const replays = counter(
  'keyway_gateway_projection_replays_total',
  'Times Redis was found behind the consumer (data lost) and the projection replayed',
);

/**
 * Projects `keyway.keys.v1` and `keyway.workspaces.v1` into Redis, batch by batch.
 *
 * Redis itself records how far each partition is applied (`keyway:projection:{group}`), and that,
 * not the group's Kafka offset, decides where reading resumes: after a restart it continues;
 * after Redis lost its data (the record is gone or went backwards) every replica notices within
 * half a second and replays from there, rebuilding the projection with no manual offset reset.
 * Until Redis holds every event published before the (re)start, the gateway is not caught up:
 * readiness is red and verification answers 503 rather than judge keys from a partial history.
 */
@Injectable()
export class ProjectionConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionConsumer.name);
  readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private stopped = false;
  private watchTimer: NodeJS.Timeout | undefined;
  private recreatedTimer: NodeJS.Timeout | undefined;
  /** The partitions this replica owns, and where Redis stands on each. */
  private readonly partitions: OwnedPartitions;
  private lastSeen = new Map<string, bigint>();
  private target: Map<string, bigint> | null = null;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly applier: ProjectionApplier,
    private readonly store: ProjectionStore,
    private readonly status: ProjectionStatus,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.groupId = `${config.kafka.groupId}-projection`;
    this.admin = kafka.admin();
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      maxBytesPerPartition: 4 * 1024 * 1024,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    const progressStore = {
      read: (topic: string, partition: number) =>
        store.partitionProgress(this.groupId, topic, partition),
      rewind: (topic: string, partition: number, from: bigint, to: bigint) =>
        store.rewindProgress(this.groupId, topic, partition, from, to),
    };
    this.partitions = new OwnedPartitions(
      this.consumer,
      this.admin,
      progressStore,
      this.groupId,
      this.logger,
    );
    const { CONNECT, DISCONNECT, CRASH, GROUP_JOIN } = this.consumer.events;
    this.consumer.on(CONNECT, () => this.setConnected(true));
    this.consumer.on(DISCONNECT, () => this.setConnected(false));
    this.consumer.on(CRASH, (event) => {
      this.setConnected(false);
      this.logger.error(`consumer crashed: ${String(event.payload.error)}`);
    });
    this.consumer.on(GROUP_JOIN, (event) => {
      this.setConnected(true);
      this.partitions.joined(event.payload.memberAssignment);
      this.partitions.seekToProgress().catch((error: unknown) => {
        // The first batch compares with Redis anyway; this only saves reading ahead.
        this.logger.warn(`cannot seek to the projection progress after joining: ${String(error)}`);
      });
    });
  }

  onApplicationBootstrap(): void {
    const start = (): void => {
      this.start().catch((error: unknown) => {
        if (this.stopped) return;
        this.logger.error(`cannot start, retrying in 2000 ms: ${String(error)}`);
        setTimeout(start, 2_000).unref();
      });
    };
    start();
    this.watchTimer = setInterval(() => void this.watch(), WATCH_INTERVAL_MS);
    // A recreated partition that stays empty sends no batch to notice it by; look now and then.
    this.recreatedTimer = setInterval(() => void this.rewindRecreated(), RECREATED_CHECK_MS);
    this.recreatedTimer.unref();
    this.watchTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchTimer);
    clearInterval(this.recreatedTimer);
    await this.consumer.disconnect();
    await this.admin.disconnect().catch(() => undefined);
  }

  private async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...PROJECTED_TOPICS], fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      // Partitions apply side by side (each one still in order): a replay keeps Redis busy.
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const first = batch.messages[0];
    // A batch fetched before a rebalance or a seek is stale: its partition is read again.
    if (!first || !isRunning() || isStale()) return;
    // Where Redis stands is known in memory once this replica has read or written it (the watch
    // loop notices when Redis goes back); recreated partitions are set back and read again.
    const decided = await this.partitions.decide(batch, (work) => this.retrying(work, heartbeat));
    if (decided === null) return;
    const applied = decided.from;
    const messages = batch.messages
      .filter((message) => BigInt(message.offset) >= applied)
      .map((message) => ({ offset: message.offset, value: message.value?.toString() ?? '' }));
    const last = batch.messages[batch.messages.length - 1] ?? first;
    const next = BigInt(last.offset) + 1n;
    // A batch wholly below the progress (nothing to apply) leaves it where it was.
    if (messages.length > 0) {
      const result = await this.retrying(() => this.applier.apply(topic, messages), heartbeat);
      for (const { message, reason } of result.poison) {
        await this.retrying(() => this.deadLetter(topic, partition, message, reason), heartbeat);
      }
      kafkaMetrics.consumed.inc(
        { group: this.groupId, topic, outcome: 'handled' },
        messages.length - result.poison.length,
      );
      if (result.poison.length > 0) {
        kafkaMetrics.consumed.inc(
          { group: this.groupId, topic, outcome: 'dead_lettered' },
          result.poison.length,
        );
      }
      const mark = messageMark(last.value);
      await this.retrying(
        () => this.store.recordProgress(this.groupId, topic, partition, next, mark),
        heartbeat,
      );
      this.partitions.stands(topic, partition, { next, mark });
    }
    // How far Redis trails the partition: a revocation waits behind this many events.
    kafkaMetrics.lag.set(
      { group: this.groupId, topic, partition: String(partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - next)),
    );
    resolveOffset(last.offset);
    await heartbeat();
  }

  /** Redis errors are waited out (the partition holds): skipping would lose a revocation. */
  private async retrying<T>(work: () => Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (this.stopped) throw error;
        kafkaMetrics.handlerFailures.inc({ group: this.groupId, topic: 'projection' });
        const delay = Math.min(100 * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
        this.logger.warn(
          `projection write failed (attempt ${attempt}, next in ${delay} ms): ${String(error)}`,
        );
        await sleep(delay);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: { offset: string; value: string },
    reason: string,
  ): Promise<void> {
    const deadLetterTopic = DEAD_LETTER[topic as keyof typeof DEAD_LETTER];
    this.logger.error(
      `parking ${topic}/${partition}@${message.offset} on ${deadLetterTopic}: ${reason}`,
    );
    await this.publisher.send([
      {
        topic: deadLetterTopic,
        key: '',
        value: message.value,
        headers: {
          'x-keyway-dlq-source': `${topic}/${partition}@${message.offset}`,
          'x-keyway-dlq-group': this.groupId,
          'x-keyway-dlq-error': reason.slice(0, 500),
        },
      },
    ]);
    kafkaMetrics.deadLettered.inc({ group: this.groupId, topic });
  }

  /** A recreated partition that stays empty sends no batch to notice it by: looked for now and then. */
  private async rewindRecreated(): Promise<void> {
    if (this.stopped) return;
    await this.partitions.rewindRecreated().catch((error: unknown) => {
      this.logger.debug?.(`cannot compare partitions with the projection: ${String(error)}`);
    });
  }

  /**
   * Every half second: has Redis gone backwards (data lost)? Then replay what this replica owns
   * and wait to catch up again. Otherwise, has Redis reached the target?
   */
  private async watch(): Promise<void> {
    if (this.stopped) return;
    try {
      const progress = await this.store.progress(this.groupId);
      const fell = [...this.lastSeen].filter(
        ([partition, offset]) => (progress.get(partition) ?? 0n) < offset,
      );
      const regressed = fell.length > 0 && !(await this.rewound(fell));
      this.lastSeen = progress;
      if (regressed) {
        replays.inc();
        this.logger.warn('Redis is behind the projection (its data was lost?): replaying');
        this.setCaughtUp(false);
        this.target = null;
      }
      for (const { topic, partition } of this.partitions.assigned) {
        const known = this.partitions.known(topic, partition);
        const applied = progress.get(`${topic}:${partition}`) ?? 0n;
        if (known !== undefined && applied < known.next) {
          this.partitions.seek(topic, partition, applied);
          this.partitions.stands(topic, partition, { next: applied, mark: null });
        }
      }
      if (!this.status.caughtUp) {
        this.target ??= await this.topicEnds();
        const reached = [...this.target].every(([partition, end]) => {
          const applied = progress.get(partition) ?? 0n;
          // Past the end: a recreated partition that has not been read again yet, so what was
          // published since (a revocation) is not in Redis. An empty one has nothing to read.
          return applied > end ? end === 0n : applied >= end;
        });
        if (reached) this.setCaughtUp(true);
      }
    } catch (error) {
      this.logger.debug?.(`projection watch: ${String(error)}`);
    }
  }

  /**
   * Whether every partition whose progress fell was set back on purpose, by a replica that found
   * it recreated (`rewindProgress` notes the progress it had): then Redis lost nothing. A Redis
   * that lost its data lost those notes too.
   */
  private async rewound(fell: ReadonlyArray<readonly [string, bigint]>): Promise<boolean> {
    const rewinds = await this.store.rewinds(this.groupId);
    return fell.every(([partition, offset]) => (rewinds.get(partition) ?? -1n) >= offset);
  }

  private async topicEnds(): Promise<Map<string, bigint>> {
    const ends = new Map<string, bigint>();
    for (const topic of PROJECTED_TOPICS) {
      for (const { partition, high } of await this.admin.fetchTopicOffsets(topic)) {
        ends.set(`${topic}:${partition}`, BigInt(high));
      }
    }
    return ends;
  }

  private setCaughtUp(caughtUp: boolean): void {
    if (caughtUp && !this.status.caughtUp) this.logger.log('projection caught up with the topics');
    this.status.caughtUp = caughtUp;
  }

  private setConnected(connected: boolean): void {
    kafkaMetrics.consumerUp.set({ group: this.groupId }, connected ? 1 : 0);
  }
}
