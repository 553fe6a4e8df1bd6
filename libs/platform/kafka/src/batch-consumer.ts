import { Logger } from '@nestjs/common';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type Kafka,
} from 'kafkajs';
import { PoisonMessage } from './poison-message';
import { ProgressMoved } from './progress-moved';
import { type EventPublisher } from './event-publisher';
import { kafkaMetrics } from './kafka-metrics';
import { messageMark, type StoredProgress } from './batch-step';
import { OwnedPartitions } from './owned-partitions';

/** One message of a batch, as the app's `decode` sees it. */
export interface BatchMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
}

/** What `applyBatch` gets: the decoded messages of one partition, in offset order. */
export interface DecodedBatch<T> {
  readonly topic: string;
  readonly partition: number;
  readonly items: ReadonlyArray<{ readonly offset: string; readonly value: T }>;
  /** The offset after the batch's last message (poison included): the progress to record. */
  readonly nextOffset: bigint;
  /** `messageMark` of the batch's last message: recorded with `nextOffset`. */
  readonly mark: string;
  /**
   * The progress the batch was decided on. If the store holds another, `applyBatch` applies
   * nothing and throws `ProgressMoved`.
   */
  readonly expected: bigint;
}

export interface BatchConsumerOptions<T> {
  groupId: string;
  topics: readonly string[];
  /** Where a poison message goes, per source topic. */
  deadLetterTopic: (topic: string) => string;
  /** Pure: a message to what `applyBatch` takes, or throws `PoisonMessage` (never retried). */
  decode: (message: BatchMessage) => T;
  /**
   * The next offset the app has NOT applied and the mark recorded with it (from its own store),
   * or null when it has none.
   */
  readProgress: (topic: string, partition: number) => Promise<StoredProgress | null>;
  /**
   * Sets the partition's progress back from `from` to `nextOffset`, forgetting its mark, if it is
   * still `from` (else returns false and changes nothing): the partition was recreated (Kafka lost
   * its data, or the topic was deleted) and its offsets start again. What is read again must be
   * skipped by the app as a redelivery.
   */
  rewindProgress: (
    topic: string,
    partition: number,
    from: bigint,
    nextOffset: bigint,
  ) => Promise<boolean>;
  /**
   * Applies the batch AND records `nextOffset` and `mark` as the partition's progress, atomically
   * (one database transaction), if the stored progress is `expected`; else throws `ProgressMoved`
   * and changes nothing. Called with an empty `items` when the batch was all poison. Any other
   * throw is taken for a dependency failure: the same messages come again after a back-off.
   */
  applyBatch: (batch: DecodedBatch<T>) => Promise<void>;
  /** Partitions applied side by side, each still in order (default 3). */
  partitionsConsumedConcurrently?: number;
  /** Fetch size per partition, i.e. how large a batch may grow (default 1 MiB). */
  maxBytesPerPartition?: number;
  /** How long an idle fetch waits for data (default 250 ms): bounds the lag of a quiet topic. */
  maxWaitTimeInMs?: number;
  /** First back-off after a failure; doubles up to 5 s (default 200 ms). */
  retryDelayMs?: number;
  /** How often owned partitions are compared with the progress, to find recreated ones (5 s). */
  recreatedCheckMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * A consumer group member that applies whole batches, exactly once, to a store of the app's.
 *
 * The app keeps each partition's progress next to its data and writes both in one transaction
 * (`applyBatch`), so a kill at any point neither loses nor duplicates: reading resumes where the
 * store says (`readProgress`, asked on assignment and compared with every batch), not where the
 * group's Kafka offset says. Kafka offsets are still committed, for lag monitoring only.
 *
 * Poison (`decode` throws `PoisonMessage`) is parked on the dead-letter topic before the batch
 * that moves past it is applied; a kill in between parks it twice, never zero times. Any other
 * failure is waited out with back-off and heartbeats: skipping would lose a change.
 */
export class BatchConsumer<T> {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private connected = false;
  private stopped = false;
  /** Asks where partitions start and end (recreated partitions are shorter than the progress). */
  private readonly admin: Admin;
  /** The partitions this member owns, and where it stands on each. */
  private readonly partitions: OwnedPartitions;
  private recreatedTimer: NodeJS.Timeout | undefined;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: BatchConsumerOptions<T>,
  ) {
    this.logger = new Logger(`batch-consumer:${options.groupId}`);
    this.admin = kafka.admin();
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 250,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    const store = {
      read: async (topic: string, partition: number) =>
        (await options.readProgress(topic, partition)) ?? { next: 0n, mark: null },
      rewind: options.rewindProgress,
    };
    this.partitions = new OwnedPartitions(
      this.consumer,
      this.admin,
      store,
      options.groupId,
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
        // The first batch compares with the store anyway; this only saves reading ahead.
        this.logger.warn(`cannot seek to the progress after joining: ${describe(error)}`);
      });
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    // A recreated partition that stays empty sends no batch to notice it by; look now and then.
    clearInterval(this.recreatedTimer);
    this.recreatedTimer = setInterval(
      () => void this.rewindRecreated(),
      this.options.recreatedCheckMs ?? 5_000,
    );
    this.recreatedTimer.unref();
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Leaves the group once the batches in hand are applied (or their retries given up). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.recreatedTimer);
    await this.consumer.disconnect();
    await this.admin.disconnect().catch(() => undefined);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    // A batch fetched before a rebalance or a seek is stale: the partition is read again.
    if (!first || !last || !isRunning() || isStale()) return;
    const decided = await this.partitions.decide(batch, (work) =>
      this.retrying(topic, heartbeat, work),
    );
    if (decided === null) return;
    const { progress, from: applied } = decided;
    const fresh = batch.messages.filter((message) => BigInt(message.offset) >= applied);
    const nextOffset = BigInt(last.offset) + 1n;
    const mark = messageMark(last.value);
    if (fresh.length > 0) {
      const items: Array<{ offset: string; value: T }> = [];
      let poison = 0;
      for (const message of fresh) {
        const received: BatchMessage = {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
        };
        try {
          items.push({ offset: message.offset, value: this.options.decode(received) });
        } catch (error) {
          if (!(error instanceof PoisonMessage)) throw error;
          poison += 1;
          await this.retrying(topic, heartbeat, () =>
            this.deadLetter(received, message.headers ?? {}, error),
          );
        }
      }
      const decoded = { topic, partition, items, nextOffset, mark, expected: progress.next };
      try {
        // After a failed attempt the commit may have gone through: then the store has moved on.
        await this.retrying(topic, heartbeat, () => this.options.applyBatch(decoded));
      } catch (error) {
        if (!(error instanceof ProgressMoved)) throw error;
        this.partitions.forget(topic, partition);
        return;
      }
      const labels = { group: this.options.groupId, topic };
      kafkaMetrics.consumed.inc({ ...labels, outcome: 'handled' }, items.length);
      if (poison > 0) kafkaMetrics.consumed.inc({ ...labels, outcome: 'dead_lettered' }, poison);
      kafkaMetrics.batches.inc(labels);
    }
    // A batch wholly below the progress (nothing fresh) leaves it where it was.
    if (fresh.length > 0) this.partitions.stands(topic, partition, { next: nextOffset, mark });
    kafkaMetrics.lag.set(
      { group: this.options.groupId, topic, partition: String(partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - nextOffset)),
    );
    resolveOffset(last.offset);
    await heartbeat();
  }

  /** Dependency failures (database, broker) are waited out: the partition holds, in order. */
  private async retrying<R>(
    topic: string,
    heartbeat: () => Promise<void>,
    work: () => Promise<R>,
  ): Promise<R> {
    const baseDelay = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (this.stopped || error instanceof ProgressMoved) throw error;
        kafkaMetrics.handlerFailures.inc({ group: this.options.groupId, topic });
        const delay = Math.min(baseDelay * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
        this.logger.warn(
          `batch of ${topic} failed (attempt ${attempt}, next in ${delay} ms): ${describe(error)}`,
        );
        await sleep(delay);
        // Still alive while waiting out an outage: the group must not evict this member.
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(
    message: BatchMessage,
    headers: IHeaders,
    error: PoisonMessage,
  ): Promise<void> {
    const deadLetterTopic = this.options.deadLetterTopic(message.topic);
    const source = `${message.topic}/${message.partition}@${message.offset}`;
    this.logger.error(`parking ${source} on ${deadLetterTopic}: ${describe(error)}`);
    await this.publisher.send([
      {
        topic: deadLetterTopic,
        key: message.key ?? '',
        value: message.value,
        headers: {
          ...headers,
          'x-keyway-dlq-source': source,
          'x-keyway-dlq-group': this.options.groupId,
          'x-keyway-dlq-error': describe(error).slice(0, 500),
        },
      },
    ]);
    kafkaMetrics.deadLettered.inc({ group: this.options.groupId, topic: message.topic });
  }

  /** A recreated partition that stays empty sends no batch to notice it by: looked for now and then. */
  private async rewindRecreated(): Promise<void> {
    if (this.stopped) return;
    await this.partitions.rewindRecreated().catch((error: unknown) => {
      this.logger.debug(`cannot compare partitions with the progress: ${describe(error)}`);
    });
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    kafkaMetrics.consumerUp.set({ group: this.options.groupId }, connected ? 1 : 0);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
