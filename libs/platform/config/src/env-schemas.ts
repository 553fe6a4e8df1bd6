import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const blankToUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

/** `NODE_ENV`, `LOG_LEVEL` and the HTTP port shared by every service. */
export const runtimeEnv = (defaultPort: number) =>
  z.object({
    /** `production` makes the deployment secrets required and turns development fallbacks off. */
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** Least severe level written to the JSON log (stdout). */
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** Address the HTTP server listens on. */
    HTTP_HOST: z.string().default('0.0.0.0'),
    /** Port of the HTTP API, `/health/*` and `/metrics`. */
    HTTP_PORT: port.default(defaultPort),
    /**
     * After SIGTERM: readiness turns red, requests drain, consumers commit and leave; past this the
     * process exits anyway. Keep the orchestrator's grace period above it.
     */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
  });

/** Postgres server shared by identity and audit; each service has its own database on it. */
export const postgresEnv = (defaultDatabase: string) =>
  z.object({
    /** PostgreSQL server of the service's own database. */
    POSTGRES_HOST: z.string().min(1).default('127.0.0.1'),
    /** PostgreSQL port. */
    POSTGRES_PORT: port.default(5432),
    /** PostgreSQL role; it needs CREATEDB the first time, when the service creates its database. */
    POSTGRES_USER: z.string().min(1).default('postgres'),
    /** PostgreSQL password; unset or empty for trust or peer authentication. */
    POSTGRES_PASSWORD: z.preprocess(blankToUndefined, z.string().optional()),
    /** The service's own database, created if missing and migrated at start. */
    POSTGRES_DATABASE: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _ only')
      .default(defaultDatabase),
    /** Connections each replica keeps open to PostgreSQL at most. */
    POSTGRES_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  });

export const redisEnv = z.object({
  /** Redis (`redis://` or `rediss://`, with credentials when needed); a Redis Cluster node works too. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
});

export const kafkaEnv = (defaultGroupId: string) =>
  z.object({
    /** Bootstrap brokers, `host:port`, comma-separated. */
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((value) => value.split(',').map((broker) => broker.trim()))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
    /** Client id in the brokers' logs and quotas; default `keyway-<service>`. */
    KAFKA_CLIENT_ID: z.string().min(1).optional(),
    /** Consumer group: all replicas of one service share it (each event is handled once). */
    KAFKA_GROUP_ID: z.string().min(1).default(defaultGroupId),
    /** Partitions of the topics a service creates at boot, overriding each topic's own (tests). */
    KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).optional(),
  });

export interface PostgresConnection {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  poolSize: number;
}

export function postgresConnection(
  env: z.infer<ReturnType<typeof postgresEnv>>,
): PostgresConnection {
  return {
    host: env.POSTGRES_HOST,
    port: env.POSTGRES_PORT,
    user: env.POSTGRES_USER,
    password: env.POSTGRES_PASSWORD,
    database: env.POSTGRES_DATABASE,
    poolSize: env.POSTGRES_POOL_SIZE,
  };
}

/**
 * `TRUST_PROXY`: whose X-Forwarded-For is believed for the client address (recorded on events,
 * and the one failed authentications are counted for): `false`, nobody; `true`, the one proxy in
 * front (the entry it appended, never what a client wrote before it); or the proxies' addresses
 * or CIDRs, comma-separated (a chain of them).
 */
export const trustProxySetting = z
  .string()
  .default('false')
  .transform((value, ctx): false | 1 | string => {
    if (value === 'false') return false;
    if (value === 'true') return 1;
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.every((entry) => ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry))) {
      return entries.join(',');
    }
    ctx.addIssue({
      code: 'custom',
      message: 'must be true, false or comma-separated addresses or CIDRs',
    });
    return z.NEVER;
  });
