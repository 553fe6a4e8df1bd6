import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { TOPIC_SPECS } from '@keyway/contracts';
import { DatabaseModule } from '@keyway/platform-database';
import { KafkaHealth, KafkaModule } from '@keyway/platform-kafka';
import { ErrorFilter, healthEndpoints, ObservabilityModule } from '@keyway/platform-observability';
import { AuthModule } from './auth/auth.module';
import { type IdentityConfig } from './config';
import { identityDatabase } from './database';
import { toHttpError } from './errors/http-error';
import { ValidationPipe } from './http/validation.pipe';
import { IdentityConfigModule } from './identity-config.module';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { IdentitiesModule } from './identities/identities.module';
import { KeyExpiryModule, KeysModule } from './keys/keys.module';
import { MembersModule } from './members/members.module';
import { OutboxModule } from './outbox/outbox.module';
import { TenancyModule } from './tenancy/tenancy.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

/** The identity service: management API, event store, outbox relay. */
@Module({})
export class IdentityModule {
  static register(config: IdentityConfig): DynamicModule {
    const health = healthEndpoints(
      [getDataSourceToken(), KafkaHealth],
      (dataSource: DataSource, kafka: KafkaHealth) => [
        { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
        // Without Kafka identity still takes changes: they wait in the outbox. Reported, not fatal.
        { name: 'kafka', critical: false, check: () => kafka.check() },
      ],
    );
    return {
      module: IdentityModule,
      imports: [
        IdentityConfigModule.register(config),
        AuthModule,
        ObservabilityModule.forRoot({
          service: config.service,
          logLevel: config.logLevel,
        }),
        DatabaseModule.forRoot(identityDatabase(config)),
        KafkaModule.forRoot({ ...config.kafka, topics: TOPIC_SPECS }),
        OutboxModule,
        IdempotencyModule,
        KeysModule,
        KeyExpiryModule,
        MembersModule,
        IdentitiesModule,
        WorkspacesModule,
        TenancyModule,
      ],
      controllers: [...health.controllers],
      providers: [
        { provide: APP_FILTER, useValue: new ErrorFilter(toHttpError) },
        { provide: APP_PIPE, useClass: ValidationPipe },
        { provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor },
        ...health.providers,
      ],
    };
  }
}
