import type { StartedTestContainer } from 'testcontainers';
import { resolveTestServices } from './resolve-test-services';
import * as containers from './start-containers';

// Docker cannot run in unit tests: the container starters are replaced, the selection logic is real.
jest.mock('./start-containers');
const mocked = jest.mocked(containers);

const fakeContainer = (): StartedTestContainer & { stop: jest.Mock } =>
  ({ stop: jest.fn().mockResolvedValue(undefined) }) as unknown as StartedTestContainer & {
    stop: jest.Mock;
  };

const allFromEnv = {
  POSTGRES_HOST: '127.0.0.1',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('resolveTestServices', () => {
  beforeEach(() => jest.resetAllMocks());

  it('uses the env alone, without asking for Docker, when every variable is set', async () => {
    const services = await resolveTestServices({ env: allFromEnv });
    expect(services).toMatchObject({
      postgres: { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' },
      redis: { url: 'redis://127.0.0.1:6379' },
      kafka: { brokers: ['127.0.0.1:9092'] },
      source: { postgres: 'env', redis: 'env', kafka: 'env' },
    });
    expect(mocked.assertContainerRuntime).not.toHaveBeenCalled();
    await services.stop();
  });

  it('starts only the missing services and stops only those', async () => {
    const kafka = fakeContainer();
    mocked.assertContainerRuntime.mockResolvedValue();
    mocked.startKafkaContainer.mockResolvedValue({
      container: kafka,
      connection: { brokers: ['localhost:32768'] },
    });
    const { KAFKA_BROKERS: _kafka, ...env } = allFromEnv;

    const services = await resolveTestServices({ env });
    expect(services.kafka.brokers).toEqual(['localhost:32768']);
    expect(services.source).toEqual({ postgres: 'env', redis: 'env', kafka: 'container' });
    expect(mocked.startPostgresContainer).not.toHaveBeenCalled();
    expect(mocked.startRedisContainer).not.toHaveBeenCalled();

    await services.stop();
    await services.stop();
    expect(kafka.stop).toHaveBeenCalledTimes(1);
  });

  it('throws one error naming the variables when no Docker engine answers', async () => {
    mocked.assertContainerRuntime.mockRejectedValue(new Error('no runtime'));
    await expect(resolveTestServices({ env: { REDIS_URL: 'redis://x:1' } })).rejects.toThrow(
      /missing: postgres, kafka[\s\S]*export POSTGRES_HOST=127\.0\.0\.1 .*KAFKA_BROKERS=127\.0\.0\.1:9092/,
    );
  });

  it('stops what it started when another container fails', async () => {
    const redis = fakeContainer();
    mocked.assertContainerRuntime.mockResolvedValue();
    mocked.startRedisContainer.mockResolvedValue({
      container: redis,
      connection: { url: 'redis://localhost:32769' },
    });
    mocked.startKafkaContainer.mockRejectedValue(new Error('image pull failed'));

    await expect(resolveTestServices({ env: { POSTGRES_HOST: '127.0.0.1' } })).rejects.toThrow(
      'image pull failed',
    );
    expect(redis.stop).toHaveBeenCalledTimes(1);
  });
});
