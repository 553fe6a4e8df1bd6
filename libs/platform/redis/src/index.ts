export { pingRedis } from './redis-health';
export { RedisModule, type RedisOptions } from './redis.module';
