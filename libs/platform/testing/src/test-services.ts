export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export interface RedisConnection {
  /** redis://host:port */
  readonly url: string;
}

export interface KafkaConnection {
  /** host:port entries, as kafkajs wants them. */
  readonly brokers: readonly string[];
}

export type TestServiceName = 'postgres' | 'redis' | 'kafka';

export interface TestServices {
  readonly postgres: PostgresConnection;
  readonly redis: RedisConnection;
  readonly kafka: KafkaConnection;
  /** Which services came from the environment and which were started as containers. */
  readonly source: Readonly<Record<TestServiceName, 'env' | 'container'>>;
  /** Stops the containers this call started (a no-op when everything came from the env). */
  stop(): Promise<void>;
}

/** The variables the whole project reads, with the values for the local machine's services. */
export const LOCAL_SERVICE_DEFAULTS = {
  POSTGRES_HOST: '127.0.0.1',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'postgres',
  POSTGRES_PASSWORD: '',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
} as const;
