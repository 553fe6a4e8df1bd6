import { type DataSource } from 'typeorm';
import {
  VERIFICATION_CODES,
  type UsageAggregatedV1,
  type VerificationCode,
} from '@keyway/contracts';
import { openDatabase } from '@keyway/platform-database';
import { dropDatabase, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
import { type Caller } from '../auth/caller';
import { Clock } from '../clock';
import { AUDIT_MIGRATIONS } from '../migrations';
import { AuditKeysReportsRepository } from './audit-keys-reports.repository';
import { KeyActivityRepository } from './key-activity.repository';
import { KeyActivityView } from './key-activity-view';
import { KeyAddressesRepository } from './key-addresses.repository';
import { KeyReports } from './key-reports';
import { KeyUsageSeries } from './key-usage-series';
import { UsageIngest } from './usage-ingest';
import { UsageRollupsRepository } from './usage-rollups.repository';
import { UsageWindowsRepository } from './usage-windows.repository';
import { UsageError } from './usage.errors';

const NOW = new Date('2025-03-01T12:00:30.000Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

class FixedClock extends Clock {
  override now(): Date {
    return NOW;
  }
}

const zero = Object.fromEntries(VERIFICATION_CODES.map((code) => [code, 0])) as Record<
  VerificationCode,
  number
>;

function usage(
  sequence: number,
  keyId: string,
  at: string,
  counts: Partial<Record<VerificationCode, number>>,
  clientAddresses: string[] = [],
  workspaceId = 'ws_a',
): UsageAggregatedV1 {
  return {
    specversion: '1.0',
    id: '0194c0a4-f1e2-7d3c-8b4a-59687a6b5c4d',
    source: '/keyway/gateway',
    type: 'keyway.usage.aggregated.v1',
    subject: 'gateway/q/1',
    time: at,
    datacontenttype: 'application/json',
    workspaceid: workspaceId,
    sequence,
    actor: 'system',
    data: {
      keyId,
      workspaceId,
      windowStart: at,
      windowEnd: at,
      firstSeenAt: at,
      lastSeenAt: at,
      counts: { ...zero, ...counts },
      clientAddresses,
    },
  };
}

const callerA: Caller = { keyId: 'key_callerA', workspaceId: 'ws_a', scopes: [] };
const callerB: Caller = { keyId: 'key_callerB', workspaceId: 'ws_b', scopes: [] };

describe('usage queries (real Postgres)', () => {
  const database = uniqueName('int_audit_usage_q');
  let dataSource: DataSource;
  let series: KeyUsageSeries;
  let activity: KeyActivityView;
  let reports: KeyReports;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'audit-usage-q-int',
    });
    const clock = new FixedClock();
    const keys = new AuditKeysReportsRepository(dataSource);
    const rollups = new UsageRollupsRepository(dataSource);
    const activityRepository = new KeyActivityRepository(dataSource);
    const addresses = new KeyAddressesRepository(dataSource);
    series = new KeyUsageSeries(keys, rollups, clock);
    activity = new KeyActivityView(keys, activityRepository, addresses);
    reports = new KeyReports(keys, clock);
    const ingest = new UsageIngest(
      new UsageWindowsRepository(),
      rollups,
      activityRepository,
      addresses,
    );

    const key = (id: string, created: string, extra: Record<string, unknown> = {}) => ({
      id,
      workspace: 'ws_a',
      status: 'active',
      created,
      rotated: null,
      expires: null,
      deleted: null,
      ...extra,
    });
    const keyRows = [
      key('key_used', ago(100)),
      key('key_unused_old', ago(100)),
      key('key_unused_young', ago(5)),
      key('key_used_long_ago', ago(200), { rotated: ago(10) }),
      key('key_revoked', ago(100), { status: 'revoked' }),
      key('key_deleted', ago(100), { deleted: ago(1) }),
      key('key_expired_unseen', ago(100), { expires: ago(1) }),
      key('key_other_ws', ago(100), { workspace: 'ws_b' }),
    ];
    for (const row of keyRows) {
      await dataSource.query(
        `INSERT INTO audit_keys (key_id, workspace_id, name, environment, status, created_at,
                                 rotated_at, expires_at, deleted_at, updated_at, sequence)
         VALUES ($1, $2, $1, 'live', $3, $4, $5, $6, $7, $4, 1)`,
        [row.id, row.workspace, row.status, row.created, row.rotated, row.expires, row.deleted],
      );
    }
    await dataSource.transaction((manager) =>
      ingest.apply(manager, [
        usage(1, 'key_used', '2025-03-01T11:58:10.000Z', { VALID: 2 }, ['198.51.100.1']),
        usage(2, 'key_used', '2025-03-01T11:59:10.000Z', { VALID: 3, RATE_LIMITED: 1 }, [
          '198.51.100.2',
        ]),
        usage(3, 'key_used', '2025-03-01T12:00:10.000Z', { REVOKED: 4 }, ['198.51.100.1']),
        usage(4, 'key_used_long_ago', ago(40), { VALID: 1 }),
        usage(5, 'key_used_long_ago', ago(2), { NOT_FOUND: 1 }),
        usage(6, 'key_only_usage', ago(1), { VALID: 1 }),
      ]),
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(database);
  });

  it('lists every bucket of the range with counts by outcome, zeros included', async () => {
    const result = await series.execute(callerA, 'key_used', {
      granularity: 'minute',
      from: '2025-03-01T11:57:30.000Z',
      to: '2025-03-01T12:00:01.000Z',
    });
    expect(result.from).toBe('2025-03-01T11:57:00.000Z');
    expect(result.to).toBe('2025-03-01T12:01:00.000Z');
    expect(result.buckets.map((bucket) => [bucket.start.slice(11, 16), bucket.total])).toEqual([
      ['11:57', 0],
      ['11:58', 2],
      ['11:59', 4],
      ['12:00', 4],
    ]);
    expect(result.buckets[2]?.counts).toMatchObject({ VALID: 3, RATE_LIMITED: 1, REVOKED: 0 });
    expect(result.totals).toMatchObject({ VALID: 5, RATE_LIMITED: 1, REVOKED: 4 });

    const defaults = await series.execute(callerA, 'key_used', { granularity: 'hour' });
    expect(defaults.buckets).toHaveLength(24);
    expect(defaults.to).toBe('2025-03-01T13:00:00.000Z');
    expect(defaults.buckets[23]?.total).toBe(4);
  });

  it('refuses too many points, and answers 404 for unknown and foreign keys', async () => {
    await expect(
      series.execute(callerA, 'key_used', { granularity: 'minute', from: ago(2) }),
    ).rejects.toMatchObject({ code: 'USAGE_INVALID_RANGE' });
    await expect(
      series.execute(callerB, 'key_used', { granularity: 'hour' }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      series.execute(callerA, 'key_nobody', { granularity: 'hour' }),
    ).rejects.toMatchObject({ code: 'USAGE_KEY_NOT_FOUND' });
    await expect(
      activity.execute(callerA, 'key_other_ws', { addressLimit: 10 }),
    ).rejects.toMatchObject({ code: 'USAGE_KEY_NOT_FOUND' });
    // Known from its usage alone (its key events not recorded yet).
    const onlyUsage = await activity.execute(callerA, 'key_only_usage', { addressLimit: 10 });
    expect(onlyUsage.totals.VALID).toBe(1);
  });

  it('shows last used, first and last seen, totals and pages of addresses', async () => {
    const first = await activity.execute(callerA, 'key_used', { addressLimit: 1 });
    expect(first).toMatchObject({
      firstSeenAt: '2025-03-01T11:58:10.000Z',
      lastSeenAt: '2025-03-01T12:00:10.000Z',
      lastUsedAt: '2025-03-01T11:59:10.000Z',
      total: 10,
      addresses: {
        total: 2,
        data: [
          {
            address: '198.51.100.1',
            firstSeenAt: '2025-03-01T11:58:10.000Z',
            lastSeenAt: '2025-03-01T12:00:10.000Z',
            windows: 2,
          },
        ],
      },
    });
    const cursor = first.addresses.nextCursor ?? '';
    expect(cursor).not.toBe('');
    const second = await activity.execute(callerA, 'key_used', {
      addressLimit: 1,
      addressCursor: cursor,
    });
    expect(second.addresses.data.map((row) => row.address)).toEqual(['198.51.100.2']);
    expect(second.addresses.nextCursor).toBeNull();
    await expect(
      activity.execute(callerA, 'key_used', { addressLimit: 1, addressCursor: 'bm9wZQ' }),
    ).rejects.toMatchObject({ code: 'USAGE_INVALID_CURSOR' });

    const never = await activity.execute(callerA, 'key_unused_old', { addressLimit: 10 });
    expect(never).toMatchObject({ lastUsedAt: null, firstSeenAt: null, total: 0 });
    expect(never.addresses).toEqual({ total: 0, data: [], nextCursor: null });
  });

  it('reports active keys unused for N days, never-used old keys included', async () => {
    const report = await reports.inactive(callerA, { days: 30, limit: 100 });
    expect(report.cutoff).toBe(ago(30));
    expect(report.data.map((key) => key.keyId)).toEqual(['key_unused_old', 'key_used_long_ago']);
    expect(report.data[1]).toMatchObject({ lastUsedAt: ago(40), lastSeenAt: ago(2) });
    const longer = await reports.inactive(callerA, { days: 50, limit: 100 });
    expect(longer.data.map((key) => key.keyId)).toEqual(['key_unused_old']);
    const young = await reports.inactive(callerA, { days: 1, limit: 100 });
    expect(young.data.map((key) => key.keyId)).toEqual([
      'key_unused_old',
      'key_unused_young',
      'key_used_long_ago',
    ]);
    const otherWorkspace = await reports.inactive(callerB, { days: 30, limit: 100 });
    expect(otherWorkspace.data.map((key) => key.keyId)).toEqual(['key_other_ws']);
  });

  it('pages through a report with its cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const result = await reports.inactive(callerA, {
        days: 1,
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...result.data.map((key) => key.keyId));
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(['key_unused_old', 'key_unused_young', 'key_used_long_ago']);
  });

  it('reports active keys not rotated for N days, longest first', async () => {
    const report = await reports.stale(callerA, { days: 30, limit: 100 });
    expect(report.data.map((key) => key.keyId)).toEqual(['key_unused_old', 'key_used']);
    const all = await reports.stale(callerA, { days: 1, limit: 1 });
    expect(all.data.map((key) => key.keyId)).toEqual(['key_unused_old']);
    const next = await reports.stale(callerA, { days: 1, limit: 10, cursor: all.nextCursor ?? '' });
    expect(next.data.map((key) => key.keyId)).toEqual([
      'key_used',
      'key_used_long_ago',
      'key_unused_young',
    ]);
    expect(next.data[1]?.lastRotatedAt).toBe(ago(10));
  });
});
