import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { TOPICS, type UsageEvent } from '@keyway/contracts';
import { BatchConsumer, EventPublisher, startRetrying } from '@keyway/platform-kafka';
import { AlertDetectors } from '../alerts/alert-detectors';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { auditMetrics } from '../metrics';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { UsageIngest } from '../usage/usage-ingest';
import { decodeUsageEvent } from './usage-event-decoder';

/**
 * Consumes the gateway's usage windows, batch by batch: each batch, in one transaction, is
 * recorded (windows, rollups, activity, addresses), judged by the alert detectors, and moves the
 * partition's progress, so a kill neither loses nor counts twice.
 */
@Injectable()
export class UsageStreamConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(UsageStreamConsumer.name);
  readonly consumer: BatchConsumer<UsageEvent>;
  private stopped = false;

  constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
    @InjectDataSource() dataSource: DataSource,
    progress: ConsumerProgressRepository,
    ingest: UsageIngest,
    detectors: AlertDetectors,
  ) {
    const groupId = `${config.kafka.groupId}-usage`;
    this.consumer = new BatchConsumer(kafka, publisher, {
      groupId,
      topics: [TOPICS.usage],
      deadLetterTopic: () => TOPICS.usageDlq,
      decode: decodeUsageEvent,
      readProgress: (topic, partition) =>
        progress.find(dataSource.manager, groupId, topic, partition),
      applyBatch: async ({ topic, partition, items, nextOffset }) => {
        const timer = auditMetrics.batchSeconds.startTimer({ topic });
        await dataSource.transaction(async (manager) => {
          const applied = await progress.lock(manager, groupId, topic, partition);
          if (applied >= nextOffset) return;
          const events = items
            .filter((item) => BigInt(item.offset) >= applied)
            .map((item) => item.value);
          const usage = await ingest.apply(manager, events);
          await detectors.observe(manager, usage);
          await progress.advance(manager, groupId, topic, partition, nextOffset);
        });
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
