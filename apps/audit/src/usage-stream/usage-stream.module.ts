import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { UsageModule } from '../usage/usage.module';
import { UsageStreamConsumer } from './usage-stream.consumer';

/** Ingest of `keyway.usage.v1`: usage records and the alert detectors, per batch. */
@Module({
  imports: [UsageModule, AlertsModule],
  providers: [ConsumerProgressRepository, UsageStreamConsumer],
  exports: [UsageStreamConsumer],
})
export class UsageStreamModule {}
