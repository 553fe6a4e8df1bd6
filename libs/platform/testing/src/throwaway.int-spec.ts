import Redis from 'ioredis';
import { Client } from 'pg';
import { expectEventually } from './expect-eventually';
import { isListening } from './tcp-probe';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';
import { startThrowawayRedis, type ThrowawayRedis } from './throwaway-redis';

describe('startThrowawayRedis', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const ping = async (): Promise<string> => {
    const client = new Redis(redis.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.ping();
    } finally {
      client.disconnect();
    }
  };

  it('answers on its own port, not the shared one', async () => {
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await ping()).toBe('PONG');
  });

  it('dies on kill and comes back on restart, empty', async () => {
    const client = new Redis(redis.url);
    await client.set('survives', 'no');
    client.disconnect();

    await redis.kill();
    expect(await isListening('127.0.0.1', redis.port)).toBe(false);
    await expect(ping()).rejects.toThrow();

    await redis.restart();
    expect(await ping()).toBe('PONG');
    const after = new Redis(redis.url);
    expect(await after.get('survives')).toBeNull();
    after.disconnect();
  });

  it('restarts while running', async () => {
    await redis.restart();
    expect(await ping()).toBe('PONG');
  });
});

describe('startThrowawayPostgres', () => {
  let postgres: ThrowawayPostgres;
  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  const query = async (sql: string): Promise<unknown[]> => {
    const client = new Client({
      ...postgres,
      database: 'postgres',
      connectionTimeoutMillis: 2_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it('answers on its own port as superuser postgres', async () => {
    expect(postgres.port).not.toBe(5432);
    expect(postgres).toMatchObject({ host: '127.0.0.1', user: 'postgres' });
    expect(await query('SELECT current_user AS who, 1 + 1 AS two')).toEqual([
      { who: 'postgres', two: 2 },
    ]);
  });

  it('dies on kill, taking open sessions with it, and recovers committed data on restart', async () => {
    await query('CREATE TABLE IF NOT EXISTS survivors (id int)');
    await query('INSERT INTO survivors VALUES (1)');
    const session = new Client({ ...postgres, database: 'postgres' });
    const sessionEnded = new Promise<void>((resolve) => session.once('end', resolve));
    session.on('error', () => undefined);
    await session.connect();

    await postgres.kill();
    await sessionEnded;
    expect(await isListening('127.0.0.1', postgres.port)).toBe(false);
    await expect(query('SELECT 1')).rejects.toThrow();

    await postgres.restart();
    expect(await query('SELECT id FROM survivors')).toEqual([{ id: 1 }]);
  });

  it('restarts while running', async () => {
    await postgres.restart();
    await expectEventually(async () =>
      expect(await query('SELECT 1 AS one')).toEqual([{ one: 1 }]),
    );
  });
});
