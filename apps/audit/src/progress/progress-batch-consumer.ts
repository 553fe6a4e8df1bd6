import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { type DataSource } from 'typeorm';
import {
  BatchConsumer,
  type BatchMessage,
  type DecodedBatch,
  type EventPublisher,
  startRetrying,
} from '@keyway/platform-kafka';
import { type AuditConfig } from '../config';
import { auditMetrics } from '../metrics';
import { type ConsumerProgressRepository } from './consumer-progress.repository';

/** What one of audit's batch consumers says of itself; the rest is `ProgressBatchConsumer`'s. */
export interface ProgressBatchOptions<T> {
  /** The consumer group is `<AUDIT_KAFKA_GROUP_ID>-<groupSuffix>`. */
  readonly groupSuffix: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: (topic: string) => string;
  readonly decode: (message: BatchMessage) => T;
  /** Applies the batch and advances `audit_consumer_progress` for `groupId`, in one transaction. */
  readonly applyBatch: (groupId: string, batch: DecodedBatch<T>) => Promise<void>;
}

/**
 * A `BatchConsumer` whose progress lives in `audit_consumer_progress`, with audit's ingest
 * settings and batch timing, started (retrying until it connects) when the app boots and
 * stopped before it shuts down.
 */
export abstract class ProgressBatchConsumer<T>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(this.constructor.name);
  readonly consumer: BatchConsumer<T>;
  private stopped = false;

  protected constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    config: AuditConfig,
    dataSource: DataSource,
    progress: ConsumerProgressRepository,
    options: ProgressBatchOptions<T>,
  ) {
    const groupId = `${config.kafka.groupId}-${options.groupSuffix}`;
    this.consumer = new BatchConsumer(kafka, publisher, {
      groupId,
      topics: options.topics,
      deadLetterTopic: options.deadLetterTopic,
      decode: options.decode,
      readProgress: (topic, partition) =>
        progress.find(dataSource.manager, groupId, topic, partition),
      rewindProgress: (topic, partition, from, nextOffset) =>
        progress.rewind(dataSource.manager, groupId, topic, partition, from, nextOffset),
      applyBatch: async (batch) => {
        const timer = auditMetrics.batchSeconds.startTimer({ topic: batch.topic });
        await options.applyBatch(groupId, batch);
        timer();
      },
      partitionsConsumedConcurrently: config.ingest.partitionsConcurrently,
      maxBytesPerPartition: config.ingest.maxBatchBytes,
      maxWaitTimeInMs: config.ingest.maxWaitMs,
    });
  }

  onApplicationBootstrap(): void {
    startRetrying(
      () => this.consumer.start(),
      this.logger,
      () => this.stopped,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.consumer.stop();
  }
}
