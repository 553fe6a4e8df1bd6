import {
  LOCAL_SERVICE_DEFAULTS,
  type KafkaConnection,
  type PostgresConnection,
  type RedisConnection,
  type TestServiceName,
  type TestServices,
} from './test-services';

export interface ServicesFromEnv {
  readonly postgres?: PostgresConnection;
  readonly redis?: RedisConnection;
  readonly kafka?: KafkaConnection;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads each service independently: POSTGRES_HOST, REDIS_URL and KAFKA_BROKERS decide. */
export function servicesFromEnv(env: Env = process.env): ServicesFromEnv {
  return {
    ...postgresEntry(env),
    ...(present(env['REDIS_URL']) ? { redis: { url: env['REDIS_URL'] } } : {}),
    ...(present(env['KAFKA_BROKERS']) ? { kafka: { brokers: kafkaBrokers(env) } } : {}),
  };
}

/** The shared Postgres from POSTGRES_* (port 5432, user postgres, empty password by default). */
export function postgresFromEnv(env: Env = process.env): PostgresConnection {
  const host = env['POSTGRES_HOST'];
  if (!present(host)) {
    throw new Error(
      `POSTGRES_HOST is not set (locally: POSTGRES_HOST=${LOCAL_SERVICE_DEFAULTS.POSTGRES_HOST})`,
    );
  }
  const portText = env['POSTGRES_PORT'] ?? LOCAL_SERVICE_DEFAULTS.POSTGRES_PORT;
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`POSTGRES_PORT is not a port number: ${JSON.stringify(portText)}`);
  }
  return {
    host,
    port,
    user: env['POSTGRES_USER'] || LOCAL_SERVICE_DEFAULTS.POSTGRES_USER,
    password: env['POSTGRES_PASSWORD'] ?? LOCAL_SERVICE_DEFAULTS.POSTGRES_PASSWORD,
  };
}

/** KAFKA_BROKERS split on commas. */
export function kafkaBrokers(env: Env = process.env): string[] {
  const brokers = (env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) {
    throw new Error(
      `KAFKA_BROKERS is not set (locally: KAFKA_BROKERS=${LOCAL_SERVICE_DEFAULTS.KAFKA_BROKERS})`,
    );
  }
  return brokers;
}

/** The env entries that point a process (test file, spawned service) at these services. */
export function testServicesEnv(
  services: Pick<TestServices, 'postgres' | 'redis' | 'kafka'>,
): Record<string, string> {
  return {
    POSTGRES_HOST: services.postgres.host,
    POSTGRES_PORT: String(services.postgres.port),
    POSTGRES_USER: services.postgres.user,
    POSTGRES_PASSWORD: services.postgres.password,
    REDIS_URL: services.redis.url,
    KAFKA_BROKERS: services.kafka.brokers.join(','),
  };
}

const VARIABLES: Record<TestServiceName, readonly (keyof typeof LOCAL_SERVICE_DEFAULTS)[]> = {
  postgres: ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_PASSWORD'],
  redis: ['REDIS_URL'],
  kafka: ['KAFKA_BROKERS'],
};

/** One error naming exactly the variables to set, with this machine's defaults. */
export function missingServicesError(missing: readonly TestServiceName[], cause?: unknown): Error {
  const assignments = missing
    .flatMap((service) => VARIABLES[service])
    .map((name) => `${name}=${LOCAL_SERVICE_DEFAULTS[name] || "''"}`);
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new Error(
    `Test services missing: ${missing.join(', ')}. No Docker engine answered${reason}, so nothing can ` +
      `be started with testcontainers. Point the tests at running services instead:\n\n` +
      `  export ${assignments.join(' ')}\n\n` +
      `(Values shown are the local defaults; Kafka starts with tools/kafka/start.sh.)`,
  );
}

function postgresEntry(env: Env): { postgres?: PostgresConnection } {
  return present(env['POSTGRES_HOST']) ? { postgres: postgresFromEnv(env) } : {};
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
