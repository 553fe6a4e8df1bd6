import { z } from 'zod';
import { durationMs } from '@keyway/contracts';
import {
  kafkaEnv,
  postgresConnection,
  postgresEnv,
  runtimeEnv,
  trustProxySetting,
} from '@keyway/platform-config';

export const identityEnvSchema = runtimeEnv(8081)
  .and(postgresEnv('keyway_identity'))
  .and(kafkaEnv('keyway-identity'))
  .and(
    z.object({
      /** Deployment secret for HMAC-SHA256(pepper, key). Required in production. */
      KEYWAY_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
      /** How often the relay looks for unpublished events in the outbox. */
      OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
      /** Events the relay publishes per round at most. */
      OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
      /** How often keys past `expiresAt` are looked for (and `key.expired` recorded). */
      EXPIRY_SCAN_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(1_000),
      /**
       * Failed authentications (a malformed, unknown, revoked or expired key) one client address
       * (IPv4, or IPv6 /64) may have per window before it gets 429 TOO_MANY_INVALID_KEYS.
       */
      INVALID_KEY_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(50),
      /** Length of that window, in seconds. */
      INVALID_KEY_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
      /**
       * How long before a key's secret stops `keyway.key.expiring.v1` is sent: a duration such as
       * `7d`, `12h`, `30m`, `90s`; `0` or `off` sends none.
       */
      KEY_EXPIRING_LEAD_TIME: z
        .string()
        .default('7d')
        .transform((value, ctx) => {
          if (value === '0' || value === 'off') return null;
          const ms = durationMs(value);
          if (ms === null) {
            ctx.addIssue({
              code: 'custom',
              message: "must be a duration such as '7d', '12h', '30m' or '90s', or '0'/'off'",
            });
            return z.NEVER;
          }
          return ms === 0 ? null : ms;
        }),
      TRUST_PROXY: trustProxySetting,
    }),
  )
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && env.KEYWAY_PEPPER === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['KEYWAY_PEPPER'],
        message: 'is required when NODE_ENV=production (a secret of at least 32 characters)',
      });
    }
  });

export type IdentityEnv = z.infer<typeof identityEnvSchema>;

export function identityConfig(env: IdentityEnv) {
  return {
    service: 'identity',
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      trustProxy: env.TRUST_PROXY,
    },
    postgres: postgresConnection(env),
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? 'keyway-identity',
      partitionsOverride: env.KAFKA_TOPIC_PARTITIONS,
    },
    pepper: env.KEYWAY_PEPPER ?? null,
    outbox: { pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS, batchSize: env.OUTBOX_BATCH_SIZE },
    invalidKeys: { limit: env.INVALID_KEY_LIMIT, windowMs: env.INVALID_KEY_WINDOW_S * 1000 },
    expiry: {
      scanIntervalMs: env.EXPIRY_SCAN_INTERVAL_MS,
      /** null: no `key.expiring` events. */
      expiringLeadTimeMs: env.KEY_EXPIRING_LEAD_TIME,
    },
  };
}

export type IdentityConfig = ReturnType<typeof identityConfig>;

/** Injection token of the typed, validated config. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/**
 * Outside production a missing pepper falls back to this fixed, public one, so that `npm start`,
 * the CLI and tests agree without setup. Keys hashed with it are worthless: the log says so.
 */
const DEVELOPMENT_PEPPER = 'keyway-development-pepper-never-use-in-production';

export function resolvePepper(config: IdentityConfig): { pepper: string; development: boolean } {
  if (config.pepper !== null) return { pepper: config.pepper, development: false };
  return { pepper: DEVELOPMENT_PEPPER, development: true };
}
