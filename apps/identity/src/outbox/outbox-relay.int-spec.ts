import { type DataSource } from 'typeorm';
import { openDatabase } from '@keyway/platform-database';
import { createKafka, ensureTopics, EventPublisher } from '@keyway/platform-kafka';
import {
  dropDatabase,
  kafkaBrokers,
  postgresFromEnv,
  TopicReader,
  uniqueName,
} from '@keyway/platform-testing';
import { Clock } from '../clock';
import { type IdentityConfig } from '../config';
import { EventStore, type RecordedEvent } from '../event-store/event-store';
import { IDENTITY_MIGRATIONS } from '../migrations';
import { OutboxRepository } from './outbox.repository';
import { OutboxRelay } from './outbox-relay';

describe('outbox relay (real Postgres and Kafka)', () => {
  const database = uniqueName('int_outbox');
  const topic = uniqueName('outbox_int');
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'outbox-int' });
  const publisher = new EventPublisher(kafka);
  let dataSource: DataSource;
  let store: EventStore;
  let reader: TopicReader;
  const config = {
    outbox: { batchSize: 500, pollIntervalMs: 100 },
    postgres: { ...postgresFromEnv(), database, poolSize: 2 },
  } as IdentityConfig;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 10 },
      entities: [],
      migrations: IDENTITY_MIGRATIONS,
      applicationName: 'outbox-int',
    });
    store = new EventStore(dataSource, new OutboxRepository(dataSource), new Clock());
    await ensureTopics(kafka, [
      { name: topic, partitions: 3, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    reader = await TopicReader.start(topic);
  });

  afterAll(async () => {
    await reader.stop();
    await publisher.disconnect();
    await dataSource.destroy();
    await dropDatabase(database);
  });

  async function append(aggregateId: string, count: number): Promise<RecordedEvent[]> {
    const recorded: RecordedEvent[] = [];
    for (let i = 0; i < count; i++) {
      recorded.push(
        ...(await dataSource.transaction((tx) =>
          store.append(tx, {
            topic,
            aggregateType: 'key',
            aggregateId,
            workspaceId: 'ws_test',
            expectedVersion: i,
            events: [{ type: 'keyway.key.updated.v1', data: { i } }],
            context: { actor: 'system' },
          }),
        )),
      );
    }
    return recorded;
  }

  const newRelay = (relayConfig = config) =>
    new OutboxRelay(dataSource, new OutboxRepository(dataSource), publisher, relayConfig);

  const unpublished = async () =>
    Number(
      (await dataSource.query(`SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`))[0].n,
    );

  it('publishes every event once, in order per aggregate, and marks it published', async () => {
    const ids = ['key_one', 'key_two', 'key_three'];
    for (const id of ids) await append(id, 10);
    const relay = newRelay();
    expect(await relay.relayOnce()).toBe(30);
    expect(await unpublished()).toBe(0);

    for (const id of ids) {
      await reader.waitFor(
        (m) => m.key === id && (m.json as RecordedEvent).sequence === 10,
        15_000,
      );
      const sequences = reader
        .messages()
        .filter((m) => m.key === id)
        .map((m) => (m.json as RecordedEvent).sequence);
      expect(sequences).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  });

  it('publishes again after dying between publish and mark: at least once, a duplicate', async () => {
    const [event] = await append('key_crash', 1);
    const relay = newRelay();
    relay.afterPublish = async () => {
      throw new Error('killed before marking');
    };
    await expect(relay.relayOnce()).rejects.toThrow('killed before marking');
    expect(await unpublished()).toBe(1);

    relay.afterPublish = undefined;
    expect(await relay.relayOnce()).toBe(1);
    expect(await unpublished()).toBe(0);
    await reader.waitFor(
      (m) =>
        m.key === 'key_crash' &&
        reader.messages().filter((x) => x.key === 'key_crash').length === 2,
      15_000,
    );
    const copies = reader.messages().filter((m) => m.key === 'key_crash');
    expect(copies.map((m) => (m.json as RecordedEvent).id)).toEqual([event?.id, event?.id]);
  });

  it('lets only one of two relays publish a batch at a time', async () => {
    await append('key_pair', 5);
    const [a, b] = await Promise.all([newRelay().relayOnce(), newRelay().relayOnce()]);
    expect((a ?? 0) + (b ?? 0)).toBe(5);
    expect([a, b]).toContain(0);
  });

  it('publishes a commit made while it was busy at once, not at the next poll', async () => {
    const slowPoll = {
      ...config,
      outbox: { batchSize: 500, pollIntervalMs: 30_000 },
    } as IdentityConfig;
    const relay = newRelay(slowPoll);
    let appendedDuringPublish = false;
    relay.afterPublish = async () => {
      if (appendedDuringPublish) return;
      appendedDuringPublish = true;
      await append('key_busy_second', 1); // committed (and notified) while the relay is busy
    };
    await append('key_busy_first', 1);
    relay.onApplicationBootstrap();
    try {
      await reader.waitFor((m) => m.key === 'key_busy_second', 5_000);
    } finally {
      await relay.beforeApplicationShutdown();
    }
  });

  it('prunes only rows published more than a day ago', async () => {
    const relay = newRelay();
    await append('key_recent', 1);
    await append('key_old', 1);
    await relay.relayOnce();
    await dataSource.query(
      `UPDATE outbox SET published_at = now() - interval '25 hours' WHERE message_key = 'key_old'`,
    );
    await append('key_pending', 1); // not published yet: never pruned
    expect(await relay.prune()).toBe(1);
    const left = await dataSource.query(
      `SELECT message_key FROM outbox WHERE message_key IN ('key_recent', 'key_old', 'key_pending') ORDER BY id`,
    );
    expect(left).toEqual([{ message_key: 'key_recent' }, { message_key: 'key_pending' }]);
    expect(await store.load('key_old')).toHaveLength(1); // the event store keeps everything
  });
});
