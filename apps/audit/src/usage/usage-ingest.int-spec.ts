import { type DataSource } from 'typeorm';
import {
  VERIFICATION_CODES,
  type UsageAggregatedV1,
  type VerificationCode,
} from '@keyway/contracts';
import { openDatabase } from '@keyway/platform-database';
import { dropDatabase, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
import { AUDIT_MIGRATIONS } from '../migrations';
import { KeyActivityRepository } from './key-activity.repository';
import { KeyAddressesRepository } from './key-addresses.repository';
import { UsageIngest } from './usage-ingest';
import { UsageRollupsRepository } from './usage-rollups.repository';
import { UsageWindowsRepository } from './usage-windows.repository';

const zero = Object.fromEntries(VERIFICATION_CODES.map((code) => [code, 0])) as Record<
  VerificationCode,
  number
>;

function usage(
  subject: string,
  sequence: number,
  data: Partial<Omit<UsageAggregatedV1['data'], 'counts'>> & {
    counts?: Partial<Record<VerificationCode, number>>;
  },
): UsageAggregatedV1 {
  const { counts, ...rest } = data;
  const workspaceId = rest.workspaceId === undefined ? 'ws_1' : rest.workspaceId;
  return {
    specversion: '1.0',
    id: '0194c0a4-f1e2-7d3c-8b4a-59687a6b5c4d',
    source: '/keyway/gateway',
    type: 'keyway.usage.aggregated.v1',
    subject,
    time: '2025-02-01T10:00:01.004Z',
    datacontenttype: 'application/json',
    ...(workspaceId === null ? {} : { workspaceid: workspaceId }),
    sequence,
    actor: 'system',
    data: {
      keyId: 'key_a',
      workspaceId,
      windowStart: '2025-02-01T10:00:00.000Z',
      windowEnd: '2025-02-01T10:00:01.000Z',
      firstSeenAt: '2025-02-01T10:00:00.100Z',
      lastSeenAt: '2025-02-01T10:00:00.900Z',
      clientAddresses: [],
      ...rest,
      counts: { ...zero, VALID: 1, ...counts },
    },
  } as UsageAggregatedV1;
}

describe('usage ingest (real Postgres)', () => {
  const database = uniqueName('int_audit_usage');
  let dataSource: DataSource;
  let ingest: UsageIngest;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'audit-usage-int',
    });
    ingest = new UsageIngest(
      new UsageWindowsRepository(),
      new UsageRollupsRepository(dataSource),
      new KeyActivityRepository(dataSource),
      new KeyAddressesRepository(dataSource),
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(database);
  });

  const apply = (events: UsageAggregatedV1[]) =>
    dataSource.transaction((manager) => ingest.apply(manager, events));

  const rollup = async (keyId: string, granularity: string) =>
    dataSource.query(
      `SELECT to_char(bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS bucket,
              valid::int, rate_limited::int, revoked::int
         FROM usage_rollups WHERE key_id = $1 AND granularity = $2 ORDER BY bucket_start`,
      [keyId, granularity],
    );

  it('sums windows into minute, hour and day rollups and counts a redelivery nothing', async () => {
    const events = [
      usage('gw/r', 1, { keyId: 'key_r', counts: { VALID: 3, RATE_LIMITED: 2 } }),
      usage('gw/r', 2, {
        keyId: 'key_r',
        windowStart: '2025-02-01T10:00:01.000Z',
        windowEnd: '2025-02-01T10:00:02.000Z',
        counts: { VALID: 4 },
      }),
      usage('gw/r', 3, {
        keyId: 'key_r',
        windowStart: '2025-02-01T11:59:59.500Z',
        windowEnd: '2025-02-01T12:00:00.500Z',
        counts: { VALID: 0, REVOKED: 5 },
      }),
    ];
    expect(await apply(events)).toHaveLength(3);
    expect(await apply(events)).toEqual([]);
    expect(await apply([events[1] as UsageAggregatedV1])).toEqual([]);

    expect(await rollup('key_r', 'minute')).toEqual([
      { bucket: '2025-02-01T10:00', valid: 7, rate_limited: 2, revoked: 0 },
      { bucket: '2025-02-01T11:59', valid: 0, rate_limited: 0, revoked: 5 },
    ]);
    expect(await rollup('key_r', 'hour')).toEqual([
      { bucket: '2025-02-01T10:00', valid: 7, rate_limited: 2, revoked: 0 },
      { bucket: '2025-02-01T11:00', valid: 0, rate_limited: 0, revoked: 5 },
    ]);
    expect(await rollup('key_r', 'day')).toEqual([
      { bucket: '2025-02-01T00:00', valid: 7, rate_limited: 2, revoked: 5 },
    ]);
    const [activity] = await dataSource.query(
      `SELECT first_seen_at, last_seen_at, last_used_at, valid::int, revoked::int
         FROM key_activity WHERE key_id = 'key_r'`,
    );
    expect(activity).toEqual({
      first_seen_at: new Date('2025-02-01T10:00:00.100Z'),
      last_seen_at: new Date('2025-02-01T10:00:00.900Z'),
      last_used_at: new Date('2025-02-01T10:00:00.900Z'),
      valid: 7,
      revoked: 5,
    });
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM usage_windows WHERE stream = 'gw/r'`,
    );
    expect(count).toBe(3);
  });

  it('stores windows of unknown keys without counting them for any key', async () => {
    const ingested = await apply([
      usage('gw/u', 1, { keyId: null, workspaceId: null, counts: { VALID: 0, NOT_FOUND: 9 } }),
    ]);
    expect(ingested).toEqual([]);
    const rows = await dataSource.query(
      `SELECT key_id, workspace_id, counts FROM usage_windows WHERE stream = 'gw/u'`,
    );
    expect(rows).toEqual([
      { key_id: null, workspace_id: null, counts: [0, 0, 9, 0, 0, 0, 0, 0, 0, 0] },
    ]);
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM usage_rollups WHERE key_id IS NULL`,
    );
    expect(count).toBe(0);
  });

  it('tells which addresses are new for the key, once, and keeps first and last seen', async () => {
    const first = await apply([
      usage('gw/n', 1, {
        keyId: 'key_n',
        firstSeenAt: '2025-02-01T10:00:00.100Z',
        lastSeenAt: '2025-02-01T10:00:00.200Z',
        clientAddresses: ['198.51.100.1', '2001:DB8:0::1'],
      }),
      usage('gw/n', 2, {
        keyId: 'key_n',
        firstSeenAt: '2025-02-01T10:00:01.100Z',
        lastSeenAt: '2025-02-01T10:00:01.200Z',
        clientAddresses: ['198.51.100.1', '198.51.100.2'],
      }),
    ]);
    expect(first.map((window) => window.newAddresses)).toEqual([
      ['198.51.100.1', '2001:db8::1'],
      ['198.51.100.2'],
    ]);
    const second = await apply([
      usage('gw/n', 3, {
        keyId: 'key_n',
        firstSeenAt: '2025-02-01T10:00:05.000Z',
        lastSeenAt: '2025-02-01T10:00:05.500Z',
        clientAddresses: ['::ffff:198.51.100.2', '203.0.113.9'],
      }),
      usage('gw/n', 4, { keyId: 'key_other', clientAddresses: ['198.51.100.1'] }),
    ]);
    expect(second.map((window) => [window.keyId, window.newAddresses])).toEqual([
      ['key_n', ['203.0.113.9']],
      ['key_other', ['198.51.100.1']],
    ]);
    expect(second[0]?.clientAddresses).toEqual(['198.51.100.2', '203.0.113.9']);
    const addresses = await dataSource.query(
      `SELECT host(address) AS address, first_seen_at, last_seen_at, windows::int
         FROM key_addresses WHERE key_id = 'key_n' ORDER BY key_addresses.address`,
    );
    expect(addresses).toEqual([
      {
        address: '198.51.100.1',
        first_seen_at: new Date('2025-02-01T10:00:00.100Z'),
        last_seen_at: new Date('2025-02-01T10:00:01.200Z'),
        windows: 2,
      },
      {
        address: '198.51.100.2',
        first_seen_at: new Date('2025-02-01T10:00:01.100Z'),
        last_seen_at: new Date('2025-02-01T10:00:05.500Z'),
        windows: 2,
      },
      {
        address: '203.0.113.9',
        first_seen_at: new Date('2025-02-01T10:00:05.000Z'),
        last_seen_at: new Date('2025-02-01T10:00:05.500Z'),
        windows: 1,
      },
      {
        address: '2001:db8::1',
        first_seen_at: new Date('2025-02-01T10:00:00.100Z'),
        last_seen_at: new Date('2025-02-01T10:00:00.200Z'),
        windows: 1,
      },
    ]);
  });

  it('applies two partitions concurrently without deadlock, losing and doubling nothing', async () => {
    const keys = Array.from({ length: 40 }, (_, index) => `key_c${String(index).padStart(2, '0')}`);
    const batch = (stream: string, order: string[]) =>
      order.map((keyId, index) =>
        usage(stream, index + 1, {
          keyId,
          counts: { VALID: 1 },
          clientAddresses: ['192.0.2.1', `192.0.2.${2 + (index % 50)}`],
        }),
      );
    // Opposite key orders in the two transactions: without sorting, these would deadlock.
    const rounds = 5;
    for (let round = 0; round < rounds; round += 1) {
      const results = await Promise.all([
        apply(batch(`gw/c1/${round}`, keys)),
        apply(batch(`gw/c2/${round}`, [...keys].reverse())),
      ]);
      expect(results.map((result) => result.length)).toEqual([40, 40]);
      if (round === 0) {
        // Each key's shared address is new in exactly one of the two transactions.
        const fresh = results
          .flat()
          .filter((window) => window.newAddresses.includes('192.0.2.1'))
          .map((window) => window.keyId)
          .sort();
        expect(fresh).toEqual(keys);
      }
    }
    const [totals] = await dataSource.query(
      `SELECT sum(valid)::int AS valid, count(*)::int AS keys
         FROM usage_rollups WHERE key_id LIKE 'key_c%' AND granularity = 'minute'`,
    );
    expect(totals).toEqual({ valid: 2 * rounds * keys.length, keys: keys.length });
    const [activity] = await dataSource.query(
      `SELECT sum(valid)::int AS valid FROM key_activity WHERE key_id LIKE 'key_c%'`,
    );
    expect(activity.valid).toBe(2 * rounds * keys.length);
  });
});
