import { z } from 'zod';
import { kafkaEnv, postgresEnv, redisEnv, runtimeEnv } from './env-schemas';
import { ConfigError, parseEnv } from './parse-env';

const schema = runtimeEnv(8081)
  .and(postgresEnv('keyway_identity'))
  .and(redisEnv)
  .and(kafkaEnv('g'));

describe('parseEnv', () => {
  it('applies the local defaults to an empty environment', () => {
    const config = parseEnv(schema, {});
    expect(config).toMatchObject({
      HTTP_PORT: 8081,
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: 5432,
      POSTGRES_DATABASE: 'keyway_identity',
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_GROUP_ID: 'g',
    });
  });

  it('splits a broker list', () => {
    expect(parseEnv(schema, { KAFKA_BROKERS: 'a:1, b:2' }).KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('names every bad variable without echoing its value', () => {
    const secret = 'hunter2-not-a-port';
    let error: unknown;
    try {
      parseEnv(schema, { HTTP_PORT: secret, REDIS_URL: 'http://x', KAFKA_BROKERS: 'nohostport' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).not.toContain(secret);
  });

  it('rejects an unsafe database name', () => {
    expect(() =>
      parseEnv(z.object({}).and(postgresEnv('x')), { POSTGRES_DATABASE: 'a;drop' }),
    ).toThrow(/POSTGRES_DATABASE/);
  });
});
