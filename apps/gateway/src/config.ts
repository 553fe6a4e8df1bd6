import { type z } from 'zod';
import { kafkaEnv, redisEnv, runtimeEnv } from '@keyway/platform-config';

export const gatewayEnvSchema = runtimeEnv(8080).and(redisEnv).and(kafkaEnv('keyway-gateway'));

export function gatewayConfig(env: z.infer<typeof gatewayEnvSchema>) {
  return {
    service: 'gateway',
    logLevel: env.LOG_LEVEL,
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    redis: { url: env.REDIS_URL, connectionName: 'keyway-gateway' },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? 'keyway-gateway',
      groupId: env.KAFKA_GROUP_ID,
      partitionsOverride: env.KAFKA_TOPIC_PARTITIONS,
    },
  };
}

export type GatewayConfig = ReturnType<typeof gatewayConfig>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
