import { Logger } from '@nestjs/common';
import { type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { type EventPublisher } from './event-publisher';
import { kafkaMetrics } from './kafka-metrics';

/** A message that can never succeed (it breaks its contract): parked at once, not retried. */
export class PoisonMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessage';
  }
}

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

export interface EventConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a poison message goes, per source topic. */
  deadLetterTopic: (topic: string) => string;
  handle: (message: ReceivedMessage) => Promise<void>;
  /** First back-off after a failed handler; doubles up to 5 s. */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Runs a consumer group member. A message's offset is committed only after its handler
 * succeeded, or after a message that can never succeed (`PoisonMessage`) was parked on the
 * dead-letter topic: at-least-once delivery, so every handler is idempotent. Other failures are
 * retried with back-off until they pass. New groups read from the beginning: projections
 * rebuild from the topic.
 */
export class EventConsumer {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private connected = false;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: EventConsumerOptions,
  ) {
    this.logger = new Logger(`consumer:${options.groupId}`);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // An idle fetch returns after this long, so leaving the group on shutdown is quick.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    const { CONNECT, DISCONNECT, CRASH, GROUP_JOIN } = this.consumer.events;
    this.consumer.on(CONNECT, () => this.setConnected(true));
    this.consumer.on(GROUP_JOIN, () => this.setConnected(true));
    this.consumer.on(DISCONNECT, () => this.setConnected(false));
    this.consumer.on(CRASH, (event) => {
      this.setConnected(false);
      this.logger.error(`consumer crashed: ${String(event.payload.error)}`);
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        await this.process(topic, partition, message, heartbeat);
      },
    });
  }

  /** Leaves the group after the message in hand is done, committing resolved offsets. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    kafkaMetrics.consumerUp.set({ group: this.options.groupId }, connected ? 1 : 0);
  }

  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const received: ReceivedMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? '',
    };
    const labels = { group: this.options.groupId, topic };
    const baseDelay = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(received);
        kafkaMetrics.consumed.inc({ ...labels, outcome: 'handled' });
        return;
      } catch (error) {
        if (error instanceof PoisonMessage) {
          await this.deadLetter(received, message, error);
          kafkaMetrics.consumed.inc({ ...labels, outcome: 'dead_lettered' });
          kafkaMetrics.deadLettered.inc(labels);
          return;
        }
        // Anything else is taken to be a dependency failing (Redis, Postgres): skipping the
        // message would lose a change (a revocation, say) and break the key's order, so the
        // partition waits, backing off, until it succeeds. Not committed: redelivered on restart.
        kafkaMetrics.handlerFailures.inc(labels);
        if (this.stopping) throw error;
        const delay = Math.min(baseDelay * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
        this.logger.warn(
          `handler failed on ${topic}/${partition}@${message.offset} (attempt ${attempt}, next in ${delay} ms): ${describe(error)}`,
        );
        await sleep(delay);
        // Still alive while waiting out an outage: the group must not evict this member.
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(received: ReceivedMessage, message: KafkaMessage, error: unknown) {
    const deadLetterTopic = this.options.deadLetterTopic(received.topic);
    this.logger.error(
      `parking ${received.topic}/${received.partition}@${received.offset} on ${deadLetterTopic}: ${describe(error)}`,
    );
    await this.publisher.send([
      {
        topic: deadLetterTopic,
        key: received.key ?? '',
        value: received.value,
        headers: {
          ...message.headers,
          'x-keyway-dlq-source': `${received.topic}/${received.partition}@${received.offset}`,
          'x-keyway-dlq-group': this.options.groupId,
          'x-keyway-dlq-error': describe(error).slice(0, 500),
        },
      },
    ]);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
