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
      /** The network of an address: its IPv4 /N and IPv6 /N. */
      AUDIT_ALERT_NEW_NETWORK_IPV4_PREFIX: z.coerce.number().int().min(8).max(32).default(24),
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
  };
}

export type AuditConfig = ReturnType<typeof auditConfig>;
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
