import {
  kafkaBrokers,
  missingServicesError,
  postgresFromEnv,
  servicesFromEnv,
  testServicesEnv,
} from './services-from-env';
import { uniqueName } from './unique-name';

describe('servicesFromEnv', () => {
  it('reads each service independently', () => {
    expect(servicesFromEnv({})).toEqual({});
    expect(servicesFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      redis: { url: 'redis://127.0.0.1:6379' },
    });
    expect(servicesFromEnv({ KAFKA_BROKERS: ' a:1, b:2 ,' })).toEqual({
      kafka: { brokers: ['a:1', 'b:2'] },
    });
  });

  it('defaults the other POSTGRES_* variables once POSTGRES_HOST is set', () => {
    expect(servicesFromEnv({ POSTGRES_HOST: 'db' })).toEqual({
      postgres: { host: 'db', port: 5432, user: 'postgres', password: '' },
    });
    expect(
      postgresFromEnv({
        POSTGRES_HOST: 'db',
        POSTGRES_PORT: '6543',
        POSTGRES_USER: 'keyway',
        POSTGRES_PASSWORD: 'secret',
      }),
    ).toEqual({ host: 'db', port: 6543, user: 'keyway', password: 'secret' });
  });

  it('treats blank values as unset and rejects a bad port', () => {
    expect(servicesFromEnv({ POSTGRES_HOST: ' ', REDIS_URL: '', KAFKA_BROKERS: '' })).toEqual({});
    expect(() => postgresFromEnv({ POSTGRES_HOST: 'db', POSTGRES_PORT: 'x' })).toThrow(
      'POSTGRES_PORT is not a port number',
    );
    expect(() => kafkaBrokers({})).toThrow('KAFKA_BROKERS=127.0.0.1:9092');
  });

  it('round-trips through testServicesEnv', () => {
    const env = testServicesEnv({
      postgres: { host: 'h', port: 1, user: 'u', password: 'p' },
      redis: { url: 'redis://r:2' },
      kafka: { brokers: ['k:3', 'k:4'] },
    });
    expect(env).toEqual({
      POSTGRES_HOST: 'h',
      POSTGRES_PORT: '1',
      POSTGRES_USER: 'u',
      POSTGRES_PASSWORD: 'p',
      REDIS_URL: 'redis://r:2',
      KAFKA_BROKERS: 'k:3,k:4',
    });
    expect(servicesFromEnv(env)).toEqual({
      postgres: { host: 'h', port: 1, user: 'u', password: 'p' },
      redis: { url: 'redis://r:2' },
      kafka: { brokers: ['k:3', 'k:4'] },
    });
  });
});

describe('missingServicesError', () => {
  it('names exactly the missing variables with local defaults', () => {
    const { message } = missingServicesError(['redis', 'kafka'], new Error('no docker'));
    expect(message).toContain('missing: redis, kafka');
    expect(message).toContain('(no docker)');
    expect(message).toContain(
      'export REDIS_URL=redis://127.0.0.1:6379 KAFKA_BROKERS=127.0.0.1:9092',
    );
    expect(message).not.toContain('POSTGRES_HOST');
  });

  it('lists every POSTGRES_* variable when Postgres is missing', () => {
    expect(missingServicesError(['postgres']).message).toContain(
      "export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=5432 POSTGRES_USER=postgres POSTGRES_PASSWORD=''",
    );
  });
});

describe('uniqueName', () => {
  it('is lower case, prefixed and different every time', () => {
    const a = uniqueName('Audit_Events');
    expect(a).toMatch(/^audit_events_[a-z0-9]+_[0-9a-f]{8}$/);
    expect(uniqueName('x')).not.toBe(uniqueName('x'));
  });
});
