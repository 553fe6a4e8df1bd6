import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { TOPIC_SPECS } from '@keyway/contracts';
import { DatabaseModule } from '@keyway/platform-database';
import { KafkaHealth, KafkaModule } from '@keyway/platform-kafka';
import { ErrorFilter, healthEndpoints, ObservabilityModule } from '@keyway/platform-observability';
import { AlertsModule } from './alerts/alerts.module';
import { AuthModule } from './auth/auth.module';
import { ChainModule } from './chain/chain.module';
import { AUDIT_CONFIG, type AuditConfig } from './config';
import { auditDatabase } from './database';
import { toHttpError } from './errors/http-error';
import { ValidationPipe } from './http/validation.pipe';
import { TrailIngestConsumer } from './trail/trail-ingest.consumer';
import { TrailModule } from './trail/trail.module';
import { IntegrityModule } from './integrity/integrity.module';
import { UsageModule } from './usage/usage.module';
import { UsageStreamConsumer } from './usage-stream/usage-stream.consumer';
import { UsageStreamModule } from './usage-stream/usage-stream.module';
import { TrailQueriesModule } from './trail-queries/trail-queries.module';

/** The typed config, to every module. */
@Global()
@Module({})
class AuditConfigModule {
  static register(config: AuditConfig): DynamicModule {
    return {
      module: AuditConfigModule,
      providers: [{ provide: AUDIT_CONFIG, useValue: config }],
      exports: [AUDIT_CONFIG],
    };
  }
}

function connected(consumer: { isConnected: boolean }): void {
  if (!consumer.isConnected) throw new Error('consumer not connected');
}

/** The audit service: the chained trail, usage, integrity, alerts and their queries. */
@Module({})
export class AuditModule {
  static register(config: AuditConfig): DynamicModule {
    const health = healthEndpoints(
      [getDataSourceToken(), KafkaHealth, TrailIngestConsumer, UsageStreamConsumer],
      (
        dataSource: DataSource,
        kafka: KafkaHealth,
        trail: TrailIngestConsumer,
        usage: UsageStreamConsumer,
      ) => [
        { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
        { name: 'kafka', check: () => kafka.check() },
        { name: 'trail-ingest', check: async () => connected(trail.consumer) },
        { name: 'usage-ingest', check: async () => connected(usage.consumer) },
      ],
    );
    return {
      module: AuditModule,
      imports: [
        AuditConfigModule.register(config),
        ObservabilityModule.forRoot({ service: config.service, logLevel: config.logLevel }),
        DatabaseModule.forRoot(auditDatabase(config)),
        KafkaModule.forRoot({ ...config.kafka, topics: TOPIC_SPECS }),
        ChainModule,
        AuthModule,
        TrailModule,
        AlertsModule,
        IntegrityModule,
        UsageModule,
        UsageStreamModule,
        TrailQueriesModule,
      ],
      controllers: [...health.controllers],
      providers: [
        { provide: APP_FILTER, useValue: new ErrorFilter(toHttpError) },
        { provide: APP_PIPE, useClass: ValidationPipe },
        ...health.providers,
      ],
    };
  }
}
