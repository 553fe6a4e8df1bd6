import { z } from 'zod';
import { kafkaEnv, redisEnv, runtimeEnv } from '@keyway/platform-config';
import { DEVELOPMENT_PEPPER } from '@keyway/key-material';

const bool = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((value) => value === 'true');

/** `kid:secret,kid:secret`: the first signs, all verify (rotation without downtime). */
const sessionKeys = z.string().transform((value, ctx) => {
  const keys = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const at = entry.indexOf(':');
      return { kid: entry.slice(0, at), secret: entry.slice(at + 1) };
    });
  const bad = keys.some(
    ({ kid, secret }) => !/^[A-Za-z0-9._-]{1,64}$/.test(kid) || secret.length < 32,
  );
  if (keys.length === 0 || bad) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected kid:secret[,kid:secret…], kid of [A-Za-z0-9._-], secret of 32+ characters',
    });
    return z.NEVER;
  }
  return keys;
});

export const gatewayEnvSchema = runtimeEnv(8080)
  .and(redisEnv)
  .and(kafkaEnv('keyway-gateway'))
  .and(
    z.object({
      /** HMAC-SHA256(pepper, key): the same deployment secret identity uses. */
      KEYWAY_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
      /** Signing keys of session tokens. Required in production. */
      GATEWAY_SESSION_KEYS: sessionKeys.optional(),
      /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated). */
      GATEWAY_TRUSTED_PROXIES: z.string().default(''),
      /** `closed` (default): 503 while Redis is away. `open`: well-formed keys pass unchecked. */
      GATEWAY_REDIS_FAILURE_MODE: z.enum(['closed', 'open']).default('closed'),
      /**
       * A verification gives up (503) once Redis has answered nothing for this long: a Redis that
       * is connected but silent. A Redis that is gone (connection closed or refused) fails at
       * once (no offline queue); one that is busy but answering is waited for.
       */
      GATEWAY_REDIS_TIMEOUT_MS: z.coerce.number().int().min(5).max(10_000).default(250),
      /** The route policy of forward auth (YAML or JSON); unset: any valid key passes. */
      GATEWAY_ROUTE_POLICY_FILE: z.string().min(1).optional(),
      /** Invalid keys (malformed or unknown) one client address may send per window. */
      GATEWAY_INVALID_KEY_LIMIT: z.coerce.number().int().min(1).default(50),
      /** Length of that window, in seconds. */
      GATEWAY_INVALID_KEY_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
      /** Key hash → key id entries cached per replica (saves a Redis lookup per verification). */
      GATEWAY_KEY_ID_CACHE_SIZE: z.coerce.number().int().min(0).default(100_000),
      /** Usage events aggregate over this interval (SPEC: at most 1 s). */
      GATEWAY_USAGE_FLUSH_MS: z.coerce.number().int().min(10).max(1_000).default(1_000),
      /** Usage events held while Kafka is away; beyond it the oldest are dropped (and counted). */
      GATEWAY_USAGE_BUFFER_MAX: z.coerce.number().int().min(1).default(10_000),
      /** Log every verification request (off: metrics count them, denials are sampled). */
      GATEWAY_ACCESS_LOG: bool('false'),
    }),
  )
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['KEYWAY_PEPPER', 'GATEWAY_SESSION_KEYS'] as const) {
      if (env[name] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is required when NODE_ENV=production',
        });
      }
    }
  });

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** Addresses or CIDRs whose X-Forwarded-For is believed, comma-separated; false: none. */
const trustedProxies = (value: string): string | false => (value.trim() === '' ? false : value);

export function gatewayConfig(env: GatewayEnv) {
  const pepper = env.KEYWAY_PEPPER ?? DEVELOPMENT_PEPPER;
  return {
    service: 'gateway',
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      trustProxy: trustedProxies(env.GATEWAY_TRUSTED_PROXIES),
    },
    redis: { url: env.REDIS_URL, connectionName: 'keyway-gateway' },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? 'keyway-gateway',
      groupId: env.KAFKA_GROUP_ID,
      partitionsOverride: env.KAFKA_TOPIC_PARTITIONS,
    },
    pepper,
    developmentPepper: env.KEYWAY_PEPPER === undefined,
    verification: {
      redisTimeoutMs: env.GATEWAY_REDIS_TIMEOUT_MS,
      failOpen: env.GATEWAY_REDIS_FAILURE_MODE === 'open',
      keyIdCacheSize: env.GATEWAY_KEY_ID_CACHE_SIZE,
      accessLog: env.GATEWAY_ACCESS_LOG,
    },
    // Outside production, sessions are signed with a key derived from the (public) development
    // pepper, so replicas agree without setup; such tokens are as worthless as such keys.
    sessionKeys: env.GATEWAY_SESSION_KEYS ?? [{ kid: 'development', secret: `session:${pepper}` }],
    routePolicyFile: env.GATEWAY_ROUTE_POLICY_FILE ?? null,
    abuse: {
      limit: env.GATEWAY_INVALID_KEY_LIMIT,
      windowMs: env.GATEWAY_INVALID_KEY_WINDOW_S * 1000,
    },
    usage: { flushMs: env.GATEWAY_USAGE_FLUSH_MS, bufferMax: env.GATEWAY_USAGE_BUFFER_MAX },
  };
}

export type GatewayConfig = ReturnType<typeof gatewayConfig>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
