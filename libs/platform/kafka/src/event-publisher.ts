import { type Kafka, type Producer, CompressionTypes, type IHeaders } from 'kafkajs';
import { kafkaMetrics } from './kafka-metrics';

export interface OutgoingMessage {
  topic: string;
  /** Partition key: the aggregate id, so one aggregate's events stay in order. */
  key: string;
  value: string;
  headers?: IHeaders;
}

/**
 * An idempotent producer (acks from all in-sync replicas, one request in flight per broker so a
 * retry cannot reorder). `send` resolves once every message is acknowledged.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
    });
  }

  async connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    try {
      await this.sendBatch(byTopic);
    } catch (error) {
      // A failed idempotent producer may hold stale sequence numbers: start a fresh session.
      await this.disconnect().catch(() => undefined);
      throw error;
    }
    for (const [topic, list] of byTopic) kafkaMetrics.published.inc({ topic }, list.length);
  }

  private async sendBatch(byTopic: Map<string, OutgoingMessage[]>): Promise<void> {
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers }) => ({ key, value, headers: headers ?? {} })),
      })),
    });
  }

  async disconnect(): Promise<void> {
    if (this.connected === undefined) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
