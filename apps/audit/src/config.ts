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
      /** How often the pruner runs, and how many rows one of its transactions deletes. */
      AUDIT_RETENTION_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(3_600),
      AUDIT_RETENTION_BATCH: z.coerce.number().int().min(10).max(100_000).default(5_000),
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
    invalidKeys: { limit: env.INVALID_KEY_LIMIT, windowMs: env.INVALID_KEY_WINDOW_S * 1000 },
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
      defaultDays: env.AUDIT_RETENTION_DAYS,
      intervalMs: env.AUDIT_RETENTION_INTERVAL_S * 1000,
      batchSize: env.AUDIT_RETENTION_BATCH,
    },
  };
}

export type AuditConfig = ReturnType<typeof auditConfig>;
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
