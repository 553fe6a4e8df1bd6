import {
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { EventPublisher } from './event-publisher';
import { createKafka, type KafkaClientOptions } from './kafka-client';
import { KafkaHealth } from './kafka-health';
import { ensureTopics, type TopicSpec } from './topics';

export interface KafkaModuleOptions extends KafkaClientOptions {
  /** Topics this service reads or writes, created at boot when missing. */
  topics: readonly TopicSpec[];
  partitionsOverride?: number | undefined;
}

const OPTIONS = Symbol('KAFKA_MODULE_OPTIONS');

/** The service's Kafka client (`Kafka`), shared producer (`EventPublisher`) and `KafkaHealth`. */
@Module({})
export class KafkaModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(Kafka) private readonly kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly health: KafkaHealth,
  ) {}

  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: Kafka, useFactory: () => createKafka(options) },
        {
          provide: EventPublisher,
          useFactory: (kafka: Kafka) => new EventPublisher(kafka),
          inject: [Kafka],
        },
        {
          provide: KafkaHealth,
          useFactory: (kafka: Kafka) => new KafkaHealth(kafka),
          inject: [Kafka],
        },
      ],
      exports: [Kafka, EventPublisher, KafkaHealth],
    };
  }

  async onModuleInit(): Promise<void> {
    await ensureTopics(this.kafka, this.options.topics, this.options.partitionsOverride);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.publisher.disconnect(), this.health.close()]);
  }
}
