import { Inject, type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

export interface RedisOptions {
  url: string;
  connectionName: string;
  /**
   * Queue commands while disconnected (default true). A hot path that must answer at once turns
   * it off: a command then fails immediately instead of running late after its caller gave up.
   */
  offlineQueue?: boolean;
  /** Batch the commands of one event-loop tick into one write (ioredis auto-pipelining). */
  autoPipelining?: boolean;
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
              enableOfflineQueue: options.offlineQueue ?? true,
              enableAutoPipelining: options.autoPipelining ?? false,
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
