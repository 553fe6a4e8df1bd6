import { Redis } from 'ioredis';
import {
  createKafka,
  EventPublisher,
  PoisonMessage,
  type ReceivedMessage,
} from '@keyway/platform-kafka';
import { kafkaBrokers } from '@keyway/platform-testing';
import { type GatewayConfig } from '../config';
import { keyEvents } from './key-events.fixture';
import { KeyProjectionConsumer } from './key-projection.consumer';
import { KeyProjectionStore } from './key-projection.store';

describe('key projection into Redis', () => {
  const redis = new Redis(process.env['REDIS_URL'] ?? '');
  const store = new KeyProjectionStore(redis);
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'projection-int' });
  const projection = new KeyProjectionConsumer(
    kafka,
    new EventPublisher(kafka),
    { kafka: { groupId: 'unused' } } as GatewayConfig,
    store,
  );
  const message = (event: unknown): ReceivedMessage => ({
    topic: 'keyway.keys.v1',
    partition: 0,
    offset: '0',
    key: null,
    value: JSON.stringify(event),
  });

  afterAll(() => redis.disconnect());

  it('applies each (subject, sequence) once, so redelivered events change nothing', async () => {
    const events = keyEvents();
    const issued = events.issued();
    const updated = events.updated(2, { scopes: ['orders:write'] });
    await projection.handle(message(issued));
    await projection.handle(message(updated));
    const afterOnce = await redis.hgetall(`keyway:key:{${events.keyId}}`);

    await projection.handle(message(issued)); // redelivered: must not reset the scopes
    await projection.handle(message(updated));
    expect(await redis.hgetall(`keyway:key:{${events.keyId}}`)).toEqual(afterOnce);
    expect(await store.get(events.keyId)).toMatchObject({ scopes: ['orders:write'], sequence: 2 });
    expect(await store.findKeyIdByHash(events.firstHash)).toBe(events.keyId);
  });

  it('keeps the previous hash during the grace period and drops all hashes on delete', async () => {
    const events = keyEvents();
    const newHash = 'a'.repeat(60) + Math.random().toString(16).slice(2, 6).padEnd(4, '0');
    await projection.handle(message(events.issued()));
    await projection.handle(message(events.rotated(2, newHash)));
    expect(await store.findKeyIdByHash(newHash)).toBe(events.keyId);
    expect(await store.findKeyIdByHash(events.firstHash)).toBe(events.keyId);
    expect(await redis.pttl(`keyway:hash:${events.firstHash}`)).toBeGreaterThan(0);

    await projection.handle(message(events.deleted(3)));
    expect(await store.findKeyIdByHash(newHash)).toBeNull();
    expect(await store.findKeyIdByHash(events.firstHash)).toBeNull();
    expect(await store.get(events.keyId)).toMatchObject({ status: 'deleted', sequence: 3 });
  });

  it('parks a message that breaks the contract or comes before its key exists', async () => {
    await expect(
      projection.handle({ ...message({}), value: '{"not":"an event"}' }),
    ).rejects.toBeInstanceOf(PoisonMessage);
    await expect(projection.handle(message(keyEvents().revoked(2)))).rejects.toBeInstanceOf(
      PoisonMessage,
    );
  });
});
