import { Module } from '@nestjs/common';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { AuditKeysRepository } from './audit-keys.repository';
import { SubjectStatesRepository } from './subject-states.repository';
import { TrailIngest } from './trail-ingest';
import { TrailIngestConsumer } from './trail-ingest.consumer';

/** Ingest of the key and workspace topics into the chained trail, subject states and keys. */
@Module({
  providers: [
    ConsumerProgressRepository,
    SubjectStatesRepository,
    AuditKeysRepository,
    TrailIngest,
    TrailIngestConsumer,
  ],
  exports: [TrailIngestConsumer],
})
export class TrailModule {}
