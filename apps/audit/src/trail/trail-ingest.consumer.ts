import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { EventPublisher } from '@keyway/platform-kafka';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { auditMetrics } from '../metrics';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { ProgressBatchConsumer } from '../progress/progress-batch-consumer';
import { decodeTrailEvent, type TrailEvent } from './trail-event';
import { TrailIngest } from './trail-ingest';

const DEAD_LETTER: Readonly<Record<string, string>> = {
  [TOPICS.keys]: TOPICS.keysDlq,
  [TOPICS.workspaces]: TOPICS.workspacesDlq,
};

/** Consumes the key and workspace topics into the trail, batch by batch, for the app's life. */
@Injectable()
export class TrailIngestConsumer extends ProgressBatchConsumer<TrailEvent> {
  constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
    @InjectDataSource() dataSource: DataSource,
    progress: ConsumerProgressRepository,
    ingest: TrailIngest,
  ) {
    super(kafka, publisher, config, dataSource, progress, {
      groupSuffix: 'trail',
      topics: [TOPICS.keys, TOPICS.workspaces],
      deadLetterTopic: (topic) => DEAD_LETTER[topic] ?? `${topic}.dlq`,
      decode: decodeTrailEvent,
      applyBatch: async (groupId, batch) => {
        const appended = await ingest.apply(groupId, batch);
        auditMetrics.recordsAppended.inc({ topic: batch.topic }, appended);
      },
    });
  }
}
