import { Inject, type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

export interface RedisOptions {
  url: string;
  connectionName: string;
}

/** The service's Redis connection, injectable as `Redis` and closed after the HTTP server. */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  static forRoot(options: RedisOptions): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: Redis,
          useFactory: () =>
            new Redis(options.url, {
              connectionName: options.connectionName,
              // Fail a command fast while Redis is away instead of queueing it for ever.
              maxRetriesPerRequest: 2,
              enableOfflineQueue: true,
              retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
            }),
        },
      ],
      exports: [Redis],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
