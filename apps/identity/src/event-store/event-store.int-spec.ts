import { type DataSource } from 'typeorm';
import { openDatabase } from '@keyway/platform-database';
import { dropDatabase, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
import { Clock } from '../clock';
import { IDENTITY_MIGRATIONS } from '../migrations';
import { EventStore, type AppendRequest } from './event-store';
import { OutboxRepository } from '../outbox/outbox.repository';
import { EventStoreError, EventStoreErrorCode } from './event-store.errors';

describe('event store (real Postgres, real migrations)', () => {
  const database = uniqueName('int_identity');
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 25 },
      entities: [],
      migrations: IDENTITY_MIGRATIONS,
      applicationName: 'identity-int',
    });
    store = new EventStore(dataSource, new OutboxRepository(dataSource), new Clock());
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(database);
  });

  const request = (aggregateId: string, expectedVersion: number, count = 1): AppendRequest => ({
    topic: 'test.events', // not a contract topic: these events are not contract-checked
    aggregateType: 'key',
    aggregateId,
    workspaceId: 'ws_test',
    expectedVersion,
    events: Array.from({ length: count }, (_, i) => ({
      type: 'keyway.key.updated.v1',
      data: { i },
    })),
    context: { actor: 'system', actorIp: '127.0.0.1' },
  });

  it('appends with a gapless sequence and writes the outbox in the same transaction', async () => {
    await dataSource.transaction((tx) => store.append(tx, request('key_a', 0, 2)));
    await dataSource.transaction((tx) => store.append(tx, request('key_a', 2)));
    const events = await store.load('key_a');
    expect(events.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(events[0]).toMatchObject({
      subject: 'key_a',
      workspaceid: 'ws_test',
      actor: 'system',
      actorip: '127.0.0.1',
    });
    const outbox = await dataSource.query(
      `SELECT event_id FROM outbox WHERE message_key = 'key_a' ORDER BY id`,
    );
    expect(outbox.map((row: { event_id: string }) => row.event_id)).toEqual(
      events.map((event) => event.id),
    );
  });

  it('lets exactly one of concurrent writers of the same version win', async () => {
    await dataSource.transaction((tx) => store.append(tx, request('key_race', 0)));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        dataSource.transaction((tx) => store.append(tx, request('key_race', 1))),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    expect(rejected).toHaveLength(19);
    for (const { reason } of rejected) {
      expect(reason).toBeInstanceOf(EventStoreError);
      expect(reason).toMatchObject({ code: EventStoreErrorCode.CONCURRENCY_CONFLICT });
    }
    expect((await store.load('key_race')).map((event) => event.sequence)).toEqual([1, 2]);
  });

  it('leaves neither event nor outbox row behind when the transaction fails', async () => {
    await expect(
      dataSource.transaction(async (tx) => {
        await store.append(tx, request('key_rollback', 0));
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await store.load('key_rollback')).toEqual([]);
    expect(
      await dataSource.query(`SELECT 1 FROM outbox WHERE message_key = 'key_rollback'`),
    ).toEqual([]);
  });

  it('is append-only and refuses gaps, even to direct SQL', async () => {
    await dataSource.transaction((tx) => store.append(tx, request('key_locked', 0)));
    await expect(
      dataSource.query(`UPDATE event_store SET type = 'x' WHERE aggregate_id = 'key_locked'`),
    ).rejects.toThrow(/append-only/);
    await expect(
      dataSource.query(`DELETE FROM event_store WHERE aggregate_id = 'key_locked'`),
    ).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE event_store`)).rejects.toThrow(/append-only/);
    await expect(
      dataSource.transaction((tx) => store.append(tx, request('key_locked', 5))),
    ).rejects.toThrow(/gap/);
  });

  it('refuses an event that breaks its topic contract, before writing anything', async () => {
    const broken: AppendRequest = { ...request('key_broken', 0), topic: 'keyway.keys.v1' };
    await expect(dataSource.transaction((tx) => store.append(tx, broken))).rejects.toThrow(
      /violates keyway.keys.v1/,
    );
    expect(await store.load('key_broken')).toEqual([]);
  });
});
