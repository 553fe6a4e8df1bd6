export { ConfigError, parseEnv, parseEnvOrExit } from './parse-env';
export {
  kafkaEnv,
  postgresConnection,
  postgresEnv,
  redisEnv,
  runtimeEnv,
  trustProxySetting,
  type PostgresConnection,
} from './env-schemas';
