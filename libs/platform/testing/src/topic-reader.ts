import {
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  type LogEntry,
  logLevel as kafkaLogLevel,
  type logLevel,
} from 'kafkajs';
import { kafkaBrokers } from './services-from-env';
import { uniqueName } from './unique-name';

export interface TopicMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: string | null;
  readonly value: string | null;
  /** `JSON.parse(value)`, or undefined when the value is missing or not JSON. */
  readonly json: unknown;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface TopicReaderOptions {
  /** Default: KAFKA_BROKERS. */
  readonly brokers?: readonly string[];
  /** Default: a unique group per reader, so each reads the topic from the beginning. */
  readonly groupId?: string;
  /** Create the topic first if it does not exist (default true; the broker does not auto-create). */
  readonly createTopic?: boolean;
  /** How long start() waits for the consumer to join its group (default 30 s). */
  readonly joinTimeoutMs?: number;
  /**
   * Print kafkajs logs at this level. By default nothing is printed (kafkajs logs retried,
   * harmless errors at ERROR level); the last warnings and errors go into thrown errors instead.
   */
  readonly logLevel?: logLevel;
}

type Waiter = (message: TopicMessage) => boolean;

/**
 * Reads one topic from the beginning into memory, for asserting on what a service published.
 * `start()` resolves only after the consumer has joined its group and owns the partitions.
 */
export class TopicReader {
  private readonly kafka: Kafka;
  private readonly groupId: string;
  private readonly received: TopicMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly kafkaLog: string[] = [];
  private consumer: Consumer | undefined;

  constructor(
    readonly topic: string,
    private readonly options: TopicReaderOptions = {},
  ) {
    this.groupId = options.groupId ?? uniqueName('topic_reader');
    this.kafka = new Kafka({
      clientId: this.groupId,
      brokers: [...(options.brokers ?? kafkaBrokers())],
      ...(options.logLevel === undefined
        ? { logLevel: kafkaLogLevel.WARN, logCreator: () => (entry) => this.keepLog(entry) }
        : { logLevel: options.logLevel }),
    });
  }

  /** Shorthand for `new TopicReader(topic, options).start()`. */
  static start(topic: string, options?: TopicReaderOptions): Promise<TopicReader> {
    return new TopicReader(topic, options).start();
  }

  async start(): Promise<this> {
    if (this.consumer) throw new Error(`TopicReader(${this.topic}) is already started`);
    if (this.options.createTopic ?? true) await this.ensureTopic();

    // A short fetch wait: disconnect() waits for the fetch in flight (kafkajs default 5 s).
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 200 });
    this.consumer = consumer;
    const joinTimeoutMs = this.options.joinTimeoutMs ?? 30_000;
    const removers: (() => void)[] = [];
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `TopicReader(${this.topic}): no group join in ${joinTimeoutMs} ms${this.recentLog()}`,
            ),
          ),
        joinTimeoutMs,
      );
      removers.push(() => clearTimeout(timer));
      removers.push(consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      removers.push(
        // kafkajs restarts the consumer after retriable errors (e.g. "coordinator is loading"
        // on a fresh broker); only a crash it gives up on is fatal.
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart) return;
          reject(
            new Error(
              `TopicReader(${this.topic}) crashed: ${payload.error.message}${this.recentLog()}`,
            ),
          );
        }),
      );
    });
    joined.catch(() => undefined); // awaited below; don't let an early timeout go unhandled
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          this.receive(toTopicMessage(topic, partition, message));
        },
      });
      await joined;
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      for (const remove of removers) remove();
    }
    return this;
  }

  /** Everything received so far, in arrival order. */
  messages(): readonly TopicMessage[] {
    return [...this.received];
  }

  /** The first message (already received or still to come) matching `predicate`. */
  waitFor<M extends TopicMessage>(
    predicate: (message: TopicMessage) => message is M,
    timeoutMs?: number,
  ): Promise<M>;
  waitFor(predicate: (message: TopicMessage) => boolean, timeoutMs?: number): Promise<TopicMessage>;
  waitFor(
    predicate: (message: TopicMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<TopicMessage> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = (message) => {
        if (!predicate(message)) return false;
        clearTimeout(timer);
        resolve(message);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(this.describeTimeout(timeoutMs)));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Leaves the group and disconnects. Pending waitFor calls keep their own timeouts. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private receive(message: TopicMessage): void {
    this.received.push(message);
    for (const waiter of this.waiters) {
      if (waiter(message)) this.waiters.delete(waiter);
    }
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // Creating an existing topic works but makes kafkajs log an error, so look first.
      if (!(await admin.listTopics()).includes(this.topic)) {
        await admin.createTopics({ topics: [{ topic: this.topic }], waitForLeaders: true });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private describeTimeout(timeoutMs: number): string {
    const last = this.received
      .slice(-5)
      .map(
        (m) => `  [${m.partition}@${m.offset}] key=${m.key ?? 'null'} value=${m.value ?? 'null'}`,
      );
    return (
      `TopicReader(${this.topic}): no matching message within ${timeoutMs} ms; ` +
      `${this.received.length} received` +
      (last.length > 0 ? `, the last ${last.length}:\n${last.join('\n')}` : '') +
      this.recentLog()
    );
  }

  private keepLog({ namespace, log }: LogEntry): void {
    const { message, error } = log;
    const detail = typeof error === 'string' ? `: ${error}` : '';
    this.kafkaLog.push(`  ${log.timestamp} [${namespace}] ${message}${detail}`);
    if (this.kafkaLog.length > 20) this.kafkaLog.shift();
  }

  private recentLog(): string {
    return this.kafkaLog.length > 0
      ? `\nRecent kafkajs warnings and errors:\n${this.kafkaLog.join('\n')}`
      : '';
  }
}

function toTopicMessage(topic: string, partition: number, message: KafkaMessage): TopicMessage {
  const value = message.value?.toString('utf8') ?? null;
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key?.toString('utf8') ?? null,
    value,
    json: parseJson(value),
    headers: headersToStrings(message.headers),
  };
}

function parseJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function headersToStrings(
  headers: IHeaders | undefined,
): Record<string, string | readonly string[] | undefined> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map((item) => item.toString()) : value?.toString(),
    ]),
  );
}
