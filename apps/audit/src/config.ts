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
    ingest: {
      partitionsConcurrently: env.AUDIT_INGEST_PARTITIONS_CONCURRENTLY,
      maxBatchBytes: env.AUDIT_INGEST_MAX_BATCH_BYTES,
      maxWaitMs: env.AUDIT_INGEST_MAX_WAIT_MS,
    },
    invalidKeys: { limit: env.INVALID_KEY_LIMIT, windowMs: env.INVALID_KEY_WINDOW_S * 1000 },
  };
}

export type AuditConfig = ReturnType<typeof auditConfig>;
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
