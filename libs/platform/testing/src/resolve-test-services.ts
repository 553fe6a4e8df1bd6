import type { StartedTestContainer } from 'testcontainers';
import { missingServicesError, servicesFromEnv } from './services-from-env';
import {
  assertContainerRuntime,
  startKafkaContainer,
  startPostgresContainer,
  startRedisContainer,
  type StartedService,
} from './start-containers';
import type { TestServiceName, TestServices } from './test-services';

export interface ResolveTestServicesOptions {
  /** Where to read POSTGRES_*, REDIS_URL and KAFKA_BROKERS (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Each of Postgres, Redis and Kafka comes from the env when its variable is set
 * (POSTGRES_HOST, REDIS_URL, KAFKA_BROKERS); the missing ones are started with testcontainers
 * when a Docker engine answers. Without Docker, throws one error naming the variables to set.
 */
export async function resolveTestServices(
  options: ResolveTestServicesOptions = {},
): Promise<TestServices> {
  const fromEnv = servicesFromEnv(options.env ?? process.env);
  const missing = (['postgres', 'redis', 'kafka'] as const).filter((name) => !fromEnv[name]);
  if (missing.length > 0) {
    try {
      await assertContainerRuntime();
    } catch (error) {
      throw missingServicesError(missing, error);
    }
  }

  const containers: StartedTestContainer[] = [];
  const stop = async (): Promise<void> => {
    const started = containers.splice(0);
    await Promise.all(started.map((container) => container.stop()));
  };
  const from = async <T>(
    given: T | undefined,
    start: () => Promise<StartedService<T>>,
  ): Promise<T> => {
    if (given) return given;
    const started = await start();
    containers.push(started.container);
    return started.connection;
  };

  const [postgres, redis, kafka] = await Promise.allSettled([
    from(fromEnv.postgres, startPostgresContainer),
    from(fromEnv.redis, startRedisContainer),
    from(fromEnv.kafka, startKafkaContainer),
  ]);
  if (
    postgres.status === 'rejected' ||
    redis.status === 'rejected' ||
    kafka.status === 'rejected'
  ) {
    await stop().catch(() => undefined);
    const failed = [postgres, redis, kafka].find((result) => result.status === 'rejected');
    throw failed?.reason;
  }
  const source = (name: TestServiceName): 'env' | 'container' =>
    fromEnv[name] ? 'env' : 'container';
  return {
    postgres: postgres.value,
    redis: redis.value,
    kafka: kafka.value,
    source: { postgres: source('postgres'), redis: source('redis'), kafka: source('kafka') },
    stop,
  };
}
