import type { StartedTestContainer } from 'testcontainers';
import type { KafkaConnection, PostgresConnection, RedisConnection } from './test-services';

export const CONTAINER_IMAGES = {
  postgres: 'postgres:15-alpine',
  redis: 'redis:7-alpine',
  kafka: 'confluentinc/cp-kafka:7.9.0',
} as const;

/** Rejects when no Docker engine (or other container runtime) answers. */
export async function assertContainerRuntime(): Promise<void> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient();
}

export interface StartedService<T> {
  readonly connection: T;
  readonly container: StartedTestContainer;
}

export async function startPostgresContainer(): Promise<StartedService<PostgresConnection>> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(CONTAINER_IMAGES.postgres)
    .withUsername('postgres')
    .withPassword('postgres')
    .start();
  return {
    container,
    connection: {
      host: container.getHost(),
      port: container.getPort(),
      user: container.getUsername(),
      password: container.getPassword(),
    },
  };
}

export async function startRedisContainer(): Promise<StartedService<RedisConnection>> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer(CONTAINER_IMAGES.redis).start();
  return { container, connection: { url: container.getConnectionUrl() } };
}

/** KafkaContainer serves plaintext clients on container port 9093. */
export async function startKafkaContainer(): Promise<StartedService<KafkaConnection>> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(CONTAINER_IMAGES.kafka).withKraft().start();
  return {
    container,
    connection: { brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`] },
  };
}
