import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { EventConsumer, type EventConsumerOptions, type ReceivedMessage } from './event-consumer';
import { type EventPublisher } from './event-publisher';

const RESTART_DELAY_MS = 2_000;

/**
 * A Nest provider that runs one consumer group member for the life of the app: it joins after
 * bootstrap (retrying until it can), and leaves, committing its offsets, before shutdown.
 * Subclasses implement `handle`, idempotently.
 */
export abstract class ConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly consumer: EventConsumer;
  protected readonly logger: Logger;
  private stopped = false;

  protected constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    options: Omit<EventConsumerOptions, 'handle'>,
  ) {
    this.logger = new Logger(this.constructor.name);
    this.consumer = new EventConsumer(kafka, publisher, {
      ...options,
      handle: (message) => this.handle(message),
    });
  }

  abstract handle(message: ReceivedMessage): Promise<void>;

  onApplicationBootstrap(): void {
    const start = (): void => {
      this.consumer.start().catch((error: unknown) => {
        if (this.stopped) return;
        this.logger.error(`cannot start, retrying in ${RESTART_DELAY_MS} ms: ${String(error)}`);
        setTimeout(start, RESTART_DELAY_MS).unref();
      });
    };
    start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.consumer.stop();
  }
}
