import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { TOPICS, type UsageEvent } from '@keyway/contracts';
import { EventPublisher } from '@keyway/platform-kafka';
import { AlertDetectors } from '../alerts/alert-detectors';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { ProgressBatchConsumer } from '../progress/progress-batch-consumer';
import { UsageIngest } from '../usage/usage-ingest';
import { decodeUsageEvent } from './usage-event-decoder';

/**
 * Consumes the gateway's usage windows, batch by batch: each batch, in one transaction, is
 * recorded (windows, rollups, activity, addresses), judged by the alert detectors, and moves the
 * partition's progress, so a kill neither loses nor counts twice.
 */
@Injectable()
export class UsageStreamConsumer extends ProgressBatchConsumer<UsageEvent> {
  constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
    @InjectDataSource() dataSource: DataSource,
    progress: ConsumerProgressRepository,
    ingest: UsageIngest,
    detectors: AlertDetectors,
  ) {
    super(kafka, publisher, config, dataSource, progress, {
      groupSuffix: 'usage',
      topics: [TOPICS.usage],
      deadLetterTopic: () => TOPICS.usageDlq,
      decode: decodeUsageEvent,
      applyBatch: async (groupId, batch) => {
        await dataSource.transaction(async (manager) => {
          await progress.lock(manager, groupId, batch);
          const events = batch.items.map((item) => item.value);
          const usage = await ingest.apply(manager, events);
          await detectors.observe(manager, usage);
          await progress.advance(manager, groupId, batch);
        });
      },
    });
  }
}
