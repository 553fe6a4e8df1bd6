import { z } from 'zod';
import {
  kafkaEnv,
  postgresConnection,
  postgresEnv,
  runtimeEnv,
  trustProxySetting,
} from '@keyway/platform-config';

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
      /** Exports running at once, each on its own Postgres connection outside the pool. */
      AUDIT_EXPORT_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
      /** How long an export waits for one of those connections before 503 EXPORT_BUSY. */
      AUDIT_EXPORT_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
    }),
  );

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
    exports: { connections: env.AUDIT_EXPORT_CONNECTIONS, waitMs: env.AUDIT_EXPORT_WAIT_MS },
  };
}

export type AuditConfig = ReturnType<typeof auditConfig>;
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
