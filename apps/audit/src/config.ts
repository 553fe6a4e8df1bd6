import { type KeyObject } from 'node:crypto';
import { z } from 'zod';
import {
  ed25519PrivateKey,
  isValidKeyName,
  type NoteVerifier,
  parseVerifierKey,
} from '@keyway/audit-chain';
import { MAX_RETENTION_DAYS } from '@keyway/contracts';
import {
  kafkaEnv,
  postgresConnection,
  postgresEnv,
  runtimeEnv,
  trustProxySetting,
} from '@keyway/platform-config';

const blankToUndefined = (value: unknown): unknown => (value === '' ? undefined : value);
const keyName = z
  .string()
  .refine(
    isValidKeyName,
    'must be non-empty, without spaces or plus signs (e.g. audit.example.com)',
  );

export const auditEnvSchema = runtimeEnv(8082)
  .and(postgresEnv('keyway_audit'))
  .and(kafkaEnv('keyway-audit'))
  .and(
    z.object({
      /** The gateway whose `POST /v1/verify` authenticates audit's callers. */
      AUDIT_GATEWAY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
      /** How long a verification may take before the request is refused (503, fail closed). */
      AUDIT_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(10).max(30_000).default(2_000),
      /** Failed authentications one client address may have per window before 429. */
      INVALID_KEY_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(50),
      INVALID_KEY_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
      TRUST_PROXY: trustProxySetting,
      /** How often the timer detectors run (denial bursts, quiet-period resolutions). */
      AUDIT_ALERT_EVALUATE_INTERVAL_MS: z.coerce
        .number()
        .int()
        .min(100)
        .max(600_000)
        .default(15_000),
      /** How long after a minute ends its usage counts as complete for the burst detector. */
      AUDIT_ALERT_SETTLE_S: z.coerce.number().int().min(0).max(600).default(30),
      /** Denials a key's minute needs at least to be a burst, whatever its usual level. */
      AUDIT_ALERT_BURST_FLOOR: z.coerce.number().int().min(1).max(10_000_000).default(100),
      /** A burst minute has at least this many times the key's mean denials per minute. */
      AUDIT_ALERT_BURST_FACTOR: z.coerce.number().min(1).max(1_000).default(5),
      /** Minutes before a minute that make the key's usual level. */
      AUDIT_ALERT_BURST_BASELINE_MINUTES: z.coerce.number().int().min(5).max(1_440).default(60),
      /** Minutes below the burst's threshold that end it. */
      AUDIT_ALERT_BURST_QUIET_MINUTES: z.coerce.number().int().min(1).max(1_440).default(5),
      /** A revoked/expired key alert ends after this many minutes without an attempt. */
      AUDIT_ALERT_DENIED_KEY_QUIET_MINUTES: z.coerce.number().int().min(1).max(43_200).default(60),
      /** A key is judged from new networks only once it was first seen this many hours ago. */
      AUDIT_ALERT_NEW_NETWORK_KEY_AGE_H: z.coerce.number().min(0).max(8_760).default(24),
      /** The network of an IPv4 address: its /N. */
      AUDIT_ALERT_NEW_NETWORK_IPV4_PREFIX: z.coerce.number().int().min(8).max(32).default(24),
      /** The network of an IPv6 address: its /N. */
      AUDIT_ALERT_NEW_NETWORK_IPV6_PREFIX: z.coerce.number().int().min(16).max(128).default(48),
      /** A new-network alert ends after this many minutes without another new network. */
      AUDIT_ALERT_NEW_NETWORK_QUIET_MINUTES: z.coerce
        .number()
        .int()
        .min(1)
        .max(43_200)
        .default(1_440),
      /** How often the alert event relay looks for unpublished alert events. */
      AUDIT_ALERT_PUBLISH_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
      /** Partitions of the key and workspace topics the trail ingest applies side by side. */
      AUDIT_INGEST_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(3),
      /** Bytes fetched per partition at a time: the largest batch one transaction applies. */
      AUDIT_INGEST_MAX_BATCH_BYTES: z.coerce
        .number()
        .int()
        .min(64 * 1024)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
      /** How long an idle fetch waits for new events: bounds the ingest lag of a quiet topic. */
      AUDIT_INGEST_MAX_WAIT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
      /**
       * The Ed25519 key signing checkpoints (secret): PKCS#8 PEM, or the base64 of its 32-byte
       * seed. Required in production; elsewhere an ephemeral one is generated at boot.
       */
      AUDIT_SIGNING_KEY: z.preprocess(
        blankToUndefined,
        z
          .string()
          .transform((value, ctx): KeyObject => {
            try {
              return ed25519PrivateKey(value);
            } catch {
              // The message never repeats the value: it is a secret.
              ctx.addIssue({
                code: 'custom',
                message: 'must be an Ed25519 private key: PKCS#8 PEM or base64 of a 32-byte seed',
              });
              return z.NEVER;
            }
          })
          .optional(),
      ),
      /** Where checkpoints come from: their origin line is `<this>/<workspace id>`. */
      AUDIT_CHECKPOINT_ORIGIN: keyName.default('keyway.local/audit'),
      /** The signing key's name in signature lines and vkeys (default: the origin). */
      AUDIT_SIGNING_KEY_NAME: z.preprocess(blankToUndefined, keyName.optional()),
      /** Old public keys, still listed and accepted: vkeys separated by spaces or commas. */
      AUDIT_VERIFIER_KEYS: z
        .string()
        .default('')
        .transform((value, ctx): NoteVerifier[] => {
          const verifiers: NoteVerifier[] = [];
          for (const vkey of value.split(/[\s,]+/).filter(Boolean)) {
            try {
              verifiers.push(parseVerifierKey(vkey));
            } catch (error) {
              ctx.addIssue({
                code: 'custom',
                message: `${vkey}: ${error instanceof Error ? error.message : String(error)}`,
              });
            }
          }
          return verifiers;
        }),
      /** How often every workspace's head is signed, also when nothing happened. */
      AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(60),
      /** Retention of trail records and usage of workspaces that set none. */
      AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).default(400),
      /**
       * The shortest retention anyone can set (the API refuses less) or the pruner applies,
       * whatever the retention table says: what a stolen write key or a changed row can erase.
       */
      AUDIT_RETENTION_MIN_DAYS: z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).default(30),
      /** How often the pruner runs. */
      AUDIT_RETENTION_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(3_600),
      /** How many rows one of the pruner's transactions deletes. */
      AUDIT_RETENTION_BATCH: z.coerce.number().int().min(10).max(100_000).default(5_000),
      /** Exports running at once, each on its own Postgres connection outside the pool. */
      AUDIT_EXPORT_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
      /** How long an export waits for one of those connections before 503 EXPORT_BUSY. */
      AUDIT_EXPORT_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
      /**
       * Integrity checks running at once on one replica (each streams a whole chain); more answer
       * 503 INTEGRITY_CHECK_BUSY. Across replicas, one check per workspace runs at a time.
       */
      AUDIT_INTEGRITY_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    }),
  )
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && env.AUDIT_SIGNING_KEY === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUDIT_SIGNING_KEY'],
        message: 'is required when NODE_ENV=production (an Ed25519 private key)',
      });
    }
  });

export function auditConfig(env: z.infer<typeof auditEnvSchema>) {
  return {
    service: 'audit',
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
      clientId: env.KAFKA_CLIENT_ID ?? 'keyway-audit',
      groupId: env.KAFKA_GROUP_ID,
      partitionsOverride: env.KAFKA_TOPIC_PARTITIONS,
    },
    gateway: {
      url: env.AUDIT_GATEWAY_URL.replace(/\/+$/, ''),
      timeoutMs: env.AUDIT_GATEWAY_TIMEOUT_MS,
    },
    ingest: {
      partitionsConcurrently: env.AUDIT_INGEST_PARTITIONS_CONCURRENTLY,
      maxBatchBytes: env.AUDIT_INGEST_MAX_BATCH_BYTES,
      maxWaitMs: env.AUDIT_INGEST_MAX_WAIT_MS,
    },
    invalidKeys: { limit: env.INVALID_KEY_LIMIT, windowMs: env.INVALID_KEY_WINDOW_S * 1000 },
    alerts: {
      evaluateIntervalMs: env.AUDIT_ALERT_EVALUATE_INTERVAL_MS,
      settleMs: env.AUDIT_ALERT_SETTLE_S * 1000,
      burst: {
        floorPerMinute: env.AUDIT_ALERT_BURST_FLOOR,
        factor: env.AUDIT_ALERT_BURST_FACTOR,
        baselineMinutes: env.AUDIT_ALERT_BURST_BASELINE_MINUTES,
        quietMinutes: env.AUDIT_ALERT_BURST_QUIET_MINUTES,
      },
      deniedKeyQuietMinutes: env.AUDIT_ALERT_DENIED_KEY_QUIET_MINUTES,
      newNetwork: {
        keyAgeMs: env.AUDIT_ALERT_NEW_NETWORK_KEY_AGE_H * 3_600_000,
        ipv4Prefix: env.AUDIT_ALERT_NEW_NETWORK_IPV4_PREFIX,
        ipv6Prefix: env.AUDIT_ALERT_NEW_NETWORK_IPV6_PREFIX,
        quietMinutes: env.AUDIT_ALERT_NEW_NETWORK_QUIET_MINUTES,
      },
      publishIntervalMs: env.AUDIT_ALERT_PUBLISH_INTERVAL_MS,
    },
    env: env.NODE_ENV,
    checkpoints: {
      /** null outside production when unset: an ephemeral key is generated (integrity module). */
      signingKey: env.AUDIT_SIGNING_KEY ?? null,
      keyName: env.AUDIT_SIGNING_KEY_NAME ?? env.AUDIT_CHECKPOINT_ORIGIN,
      origin: env.AUDIT_CHECKPOINT_ORIGIN,
      oldKeys: env.AUDIT_VERIFIER_KEYS,
      intervalMs: env.AUDIT_CHECKPOINT_INTERVAL_S * 1000,
    },
    retention: {
      defaultDays: Math.max(env.AUDIT_RETENTION_DAYS, env.AUDIT_RETENTION_MIN_DAYS),
      minDays: env.AUDIT_RETENTION_MIN_DAYS,
      intervalMs: env.AUDIT_RETENTION_INTERVAL_S * 1000,
      batchSize: env.AUDIT_RETENTION_BATCH,
    },
    exports: { connections: env.AUDIT_EXPORT_CONNECTIONS, waitMs: env.AUDIT_EXPORT_WAIT_MS },
    integrity: { concurrency: env.AUDIT_INTEGRITY_CONCURRENCY },
  };
}

export type AuditConfig = ReturnType<typeof auditConfig>;
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
