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
import { TOPICS } from '@keyway/contracts';
import { BatchConsumer, EventPublisher } from '@keyway/platform-kafka';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { auditMetrics } from '../metrics';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { decodeTrailEvent, type TrailEvent } from './trail-event';
import { TrailIngest } from './trail-ingest';

const DEAD_LETTER: Readonly<Record<string, string>> = {
  [TOPICS.keys]: TOPICS.keysDlq,
  [TOPICS.workspaces]: TOPICS.workspacesDlq,
};
const RESTART_DELAY_MS = 2_000;

/** Consumes the key and workspace topics into the trail, batch by batch, for the app's life. */
@Injectable()
export class TrailIngestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TrailIngestConsumer.name);
  readonly consumer: BatchConsumer<TrailEvent>;
  private stopped = false;

  constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
    @InjectDataSource() dataSource: DataSource,
    progress: ConsumerProgressRepository,
    ingest: TrailIngest,
  ) {
    const groupId = `${config.kafka.groupId}-trail`;
    this.consumer = new BatchConsumer(kafka, publisher, {
      groupId,
      topics: [TOPICS.keys, TOPICS.workspaces],
      deadLetterTopic: (topic) => DEAD_LETTER[topic] ?? `${topic}.dlq`,
      decode: decodeTrailEvent,
      readProgress: (topic, partition) =>
        progress.find(dataSource.manager, groupId, topic, partition),
      applyBatch: async (batch) => {
        const timer = auditMetrics.batchSeconds.startTimer({ topic: batch.topic });
        const appended = await ingest.apply(groupId, batch);
        timer();
        auditMetrics.recordsAppended.inc({ topic: batch.topic }, appended);
      },
      partitionsConsumedConcurrently: config.ingest.partitionsConcurrently,
      maxBytesPerPartition: config.ingest.maxBatchBytes,
      maxWaitTimeInMs: config.ingest.maxWaitMs,
    });
  }

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
