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

  it('writes events, outbox rows and the read-model statements given as one: all or nothing, even outside a transaction', async () => {
    const count = async (table: string, id: string) =>
      (
        (await dataSource.query(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${table === 'outbox' ? 'message_key' : 'aggregate_id'} = $1`,
          [id],
        )) as { n: number }[]
      )[0]?.n;
    const idempotencyRow = (principal: string) => ({
      sql: `INSERT INTO idempotency_records (principal_key_id, idempotency_key, request_hash)
            VALUES ($1, $2, $3)`,
      params: [principal, 'k', 'h'],
    });

    const ok = request('key_one_statement', 0, 2);
    await store.write(dataSource.manager, ok, store.record(ok), [idempotencyRow('p_ok')]);
    expect((await store.load('key_one_statement')).map((event) => event.sequence)).toEqual([1, 2]);
    expect(await count('outbox', 'key_one_statement')).toBe(2);
    expect(
      await dataSource.query(
        `SELECT principal_key_id, idempotency_key, request_hash FROM idempotency_records
          WHERE principal_key_id = 'p_ok'`,
      ),
    ).toEqual([{ principal_key_id: 'p_ok', idempotency_key: 'k', request_hash: 'h' }]);

    // The read-model statement fails (a duplicate key): nothing of the events is left.
    const failing = request('key_none_written', 0);
    await expect(
      store.write(dataSource.manager, failing, store.record(failing), [idempotencyRow('p_ok')]),
    ).rejects.toThrow(/duplicate key/);
    expect(await count('event_store', 'key_none_written')).toBe(0);
    expect(await count('outbox', 'key_none_written')).toBe(0);
  });
});
