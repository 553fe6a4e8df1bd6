import { type DynamicModule, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { TOPIC_SPECS } from '@keyway/contracts';
import { KafkaHealth, KafkaModule } from '@keyway/platform-kafka';
import { healthEndpoints, ObservabilityModule } from '@keyway/platform-observability';
import { RedisModule, pingRedis } from '@keyway/platform-redis';
import { InvalidKeyLimiter } from './abuse/invalid-key-limiter';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { RoutePolicySource } from './forward-auth/route-policy.source';
import { SessionRoute } from './http/session-route';
import { VerificationHandlers } from './http/verification-handlers';
import { ProjectionApplier } from './projection/projection-applier';
import { ProjectionConsumer } from './projection/projection.consumer';
import { ProjectionStatus } from './projection/projection-status';
import { ProjectionStore } from './projection/projection.store';
import { SessionTokens } from './sessions/session-tokens';
import { UsageRecorder } from './usage/usage-recorder';
import { KeyIdCache } from './verification/key-id-cache';
import { VerificationService } from './verification/verification.service';

/** The gateway: projects key events into Redis and verifies keys against it. */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    const health = healthEndpoints(
      [Redis, KafkaHealth, ProjectionStatus],
      (redis: Redis, kafka: KafkaHealth, projection: ProjectionStatus) => [
        { name: 'redis', check: () => pingRedis(redis) },
        // Verification runs from Redis alone: without Kafka the gateway keeps answering
        // (revocations wait in identity's outbox), so Kafka only degrades readiness.
        { name: 'kafka', critical: false, check: () => kafka.check() },
        {
          name: 'key-projection',
          check: async () => {
            if (!projection.caughtUp) throw new Error('catching up with keyway.keys.v1');
          },
        },
      ],
    );
    return {
      module: GatewayModule,
      imports: [
        ObservabilityModule.forRoot({
          service: config.service,
          logLevel: config.logLevel,
          // Verification is the hot path: metrics count its requests, and there is no
          // per-request logger unless asked for (GATEWAY_ACCESS_LOG=true).
          requestLogging: config.verification.accessLog,
        }),
        RedisModule.forRoot({ ...config.redis, offlineQueue: false, autoPipelining: true }),
        KafkaModule.forRoot({ ...config.kafka, topics: TOPIC_SPECS }),
      ],
      controllers: [...health.controllers],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ProjectionStore,
        ProjectionApplier,
        ProjectionStatus,
        ProjectionConsumer,
        KeyIdCache,
        SessionTokens,
        VerificationService,
        RoutePolicySource,
        InvalidKeyLimiter,
        UsageRecorder,
        VerificationHandlers,
        SessionRoute,
        ...health.providers,
      ],
    };
  }
}
