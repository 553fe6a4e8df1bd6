import { type DynamicModule, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { TOPIC_SPECS } from '@keyway/contracts';
import { KafkaHealth, KafkaModule } from '@keyway/platform-kafka';
import { healthEndpoints, ObservabilityModule } from '@keyway/platform-observability';
import { RedisModule, pingRedis } from '@keyway/platform-redis';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { KeyProjectionConsumer } from './projection/key-projection.consumer';
import { KeyProjectionStore } from './projection/key-projection.store';

/** The gateway: projects key events into Redis (verification comes with its own issue). */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    const health = healthEndpoints(
      [Redis, KafkaHealth, KeyProjectionConsumer],
      (redis: Redis, kafka: KafkaHealth, projection: KeyProjectionConsumer) => [
        { name: 'redis', check: () => pingRedis(redis) },
        { name: 'kafka', check: () => kafka.check() },
        {
          name: 'key-projection',
          check: async () => {
            if (!projection.consumer.isConnected) throw new Error('consumer not connected');
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
        }),
        RedisModule.forRoot(config.redis),
        KafkaModule.forRoot({ ...config.kafka, topics: TOPIC_SPECS }),
      ],
      controllers: [...health.controllers],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        KeyProjectionStore,
        KeyProjectionConsumer,
        ...health.providers,
      ],
      exports: [KeyProjectionConsumer],
    };
  }
}
