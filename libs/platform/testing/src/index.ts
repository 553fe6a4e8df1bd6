export { expectEventually, type ExpectEventuallyOptions } from './expect-eventually';
export { freePort } from './free-port';
export { repoRoot } from './repo-root';
export { resolveTestServices, type ResolveTestServicesOptions } from './resolve-test-services';
export {
  kafkaBrokers,
  missingServicesError,
  postgresFromEnv,
  servicesFromEnv,
  testServicesEnv,
  type ServicesFromEnv,
} from './services-from-env';
export { CONTAINER_IMAGES } from './start-containers';
export { isListening } from './tcp-probe';
export { createDatabase, dropDatabase, type DatabaseConnection } from './test-database';
export {
  LOCAL_SERVICE_DEFAULTS,
  type KafkaConnection,
  type PostgresConnection,
  type RedisConnection,
  type TestServiceName,
  type TestServices,
} from './test-services';
export {
  startThrowawayKafka,
  type ThrowawayKafka,
  type ThrowawayKafkaOptions,
} from './throwaway-kafka';
export {
  renderForwardAuthConfig,
  startThrowawayNginx,
  type ForwardAuthConfigValues,
  type ForwardAuthTargets,
  type ThrowawayNginx,
  type ThrowawayNginxOptions,
} from './throwaway-nginx';
export {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  type ThrowawayPostgresOptions,
} from './throwaway-postgres';
export {
  startThrowawayRedis,
  type ThrowawayRedis,
  type ThrowawayRedisOptions,
} from './throwaway-redis';
export {
  startThrowawayRedisCluster,
  type RedisClusterNode,
  type ThrowawayRedisCluster,
  type ThrowawayRedisClusterOptions,
} from './throwaway-redis-cluster';
export { TopicReader, type TopicMessage, type TopicReaderOptions } from './topic-reader';
export { uniqueName } from './unique-name';
export { rawRequest, type RawReply, type RawRequestOptions } from './raw-request';
