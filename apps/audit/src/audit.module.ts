import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { TOPIC_SPECS } from '@keyway/contracts';
import { DatabaseModule } from '@keyway/platform-database';
import { KafkaHealth, KafkaModule } from '@keyway/platform-kafka';
import { healthEndpoints, ObservabilityModule } from '@keyway/platform-observability';
import { AUDIT_CONFIG, type AuditConfig } from './config';
import { auditDatabase } from './database';
import { AuditTrailConsumer } from './trail/audit-trail.consumer';
import { AuditTrailRepository } from './trail/audit-trail.repository';

/** The audit service: records the event stream (queries come with their own issue). */
@Module({})
export class AuditModule {
  static register(config: AuditConfig): DynamicModule {
    const health = healthEndpoints(
      [getDataSourceToken(), KafkaHealth, AuditTrailConsumer],
      (dataSource: DataSource, kafka: KafkaHealth, trail: AuditTrailConsumer) => [
        { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
        { name: 'kafka', check: () => kafka.check() },
        {
          name: 'audit-trail',
          check: async () => {
            if (!trail.consumer.isConnected) throw new Error('consumer not connected');
          },
        },
      ],
    );
    return {
      module: AuditModule,
      imports: [
        ObservabilityModule.forRoot({
          service: config.service,
          logLevel: config.logLevel,
        }),
        DatabaseModule.forRoot(auditDatabase(config)),
        KafkaModule.forRoot({ ...config.kafka, topics: TOPIC_SPECS }),
      ],
      controllers: [...health.controllers],
      providers: [
        { provide: AUDIT_CONFIG, useValue: config },
        AuditTrailRepository,
        AuditTrailConsumer,
        ...health.providers,
      ],
      exports: [AuditTrailConsumer],
    };
  }
}
