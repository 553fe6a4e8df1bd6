import {
  VERIFICATION_CODES,
  type UsageAggregatedV1,
  type VerificationCode,
} from '@keyway/contracts';
import {
  activityAdditions,
  addressAdditions,
  bucketStart,
  canonicalAddress,
  isKeyed,
  newAddressesByWindow,
  rollupAdditions,
  windowRows,
} from './usage-aggregation';

const zero = Object.fromEntries(VERIFICATION_CODES.map((code) => [code, 0])) as Record<
  VerificationCode,
  number
>;

function usage(
  sequence: number,
  data: Partial<Omit<UsageAggregatedV1['data'], 'counts'>> & {
    counts?: Partial<Record<VerificationCode, number>>;
  },
  subject = 'gateway/a/1',
): UsageAggregatedV1 {
  const { counts, ...rest } = data;
  return {
    specversion: '1.0',
    id: '0194c0a4-f1e2-7d3c-8b4a-59687a6b5c4d',
    source: '/keyway/gateway',
    type: 'keyway.usage.aggregated.v1',
    subject,
    time: '2025-02-01T10:00:01.004Z',
    datacontenttype: 'application/json',
    workspaceid: 'ws_1',
    sequence,
    actor: 'system',
    data: {
      keyId: 'key_a',
      workspaceId: 'ws_1',
      windowStart: '2025-02-01T10:00:00.000Z',
      windowEnd: '2025-02-01T10:00:01.000Z',
      firstSeenAt: '2025-02-01T10:00:00.100Z',
      lastSeenAt: '2025-02-01T10:00:00.900Z',
      clientAddresses: [],
      ...rest,
      counts: { ...zero, ...counts },
    },
  };
}

describe('usage aggregation', () => {
  it('buckets by UTC minute, hour and day', () => {
    const ms = Date.parse('2025-02-01T23:59:59.999Z');
    expect(new Date(bucketStart(ms, 'minute')).toISOString()).toBe('2025-02-01T23:59:00.000Z');
    expect(new Date(bucketStart(ms, 'hour')).toISOString()).toBe('2025-02-01T23:00:00.000Z');
    expect(new Date(bucketStart(ms, 'day')).toISOString()).toBe('2025-02-01T00:00:00.000Z');
  });

  it('canonicalises addresses: RFC 5952 text, IPv4-mapped IPv6 as IPv4', () => {
    expect(canonicalAddress('2001:0DB8:0:0:0:0:0:17')).toBe('2001:db8::17');
    expect(canonicalAddress('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(canonicalAddress('198.51.100.7')).toBe('198.51.100.7');
  });

  it('keeps one row per (stream, sequence), sorted, and none keyed without key and workspace', () => {
    const rows = windowRows([
      usage(2, {}),
      usage(1, {}, 'gateway/b/1'),
      usage(2, { counts: { VALID: 99 } }),
      usage(1, { keyId: null, workspaceId: null }),
    ]);
    expect(rows.map((row) => [row.stream, row.sequence])).toEqual([
      ['gateway/a/1', 1],
      ['gateway/a/1', 2],
      ['gateway/b/1', 1],
    ]);
    expect(rows.map(isKeyed)).toEqual([false, true, true]);
    expect(rows[1]?.counts[0]).toBe(0); // the first of the duplicates
  });

  it('sums windows into minute, hour and day buckets per key, sorted by primary key', () => {
    const rows = windowRows([
      usage(1, { windowStart: '2025-02-01T10:00:00.000Z', counts: { VALID: 3, RATE_LIMITED: 1 } }),
      usage(2, { windowStart: '2025-02-01T10:00:30.000Z', counts: { VALID: 2 } }),
      usage(3, { windowStart: '2025-02-01T10:01:00.000Z', counts: { REVOKED: 5 } }),
      usage(4, { keyId: 'key_0', windowStart: '2025-02-01T11:00:00.000Z', counts: { VALID: 7 } }),
    ]).filter(isKeyed);
    const additions = rollupAdditions(rows).map((row) => [
      row.keyId,
      row.granularity,
      new Date(row.bucketStart).toISOString(),
      row.counts.reduce((sum, count) => sum + count, 0),
    ]);
    expect(additions).toEqual([
      ['key_0', 'day', '2025-02-01T00:00:00.000Z', 7],
      ['key_0', 'hour', '2025-02-01T11:00:00.000Z', 7],
      ['key_0', 'minute', '2025-02-01T11:00:00.000Z', 7],
      ['key_a', 'day', '2025-02-01T00:00:00.000Z', 11],
      ['key_a', 'hour', '2025-02-01T10:00:00.000Z', 11],
      ['key_a', 'minute', '2025-02-01T10:00:00.000Z', 6],
      ['key_a', 'minute', '2025-02-01T10:01:00.000Z', 5],
    ]);
    const minute = rollupAdditions(rows).find((row) => row.granularity === 'minute');
    expect(minute?.keyId).toBe('key_0');
  });

  it('tracks first and last seen, last used only from windows with VALID, and totals', () => {
    const rows = windowRows([
      usage(1, {
        firstSeenAt: '2025-02-01T10:00:00.100Z',
        lastSeenAt: '2025-02-01T10:00:00.500Z',
        counts: { VALID: 1 },
      }),
      usage(2, {
        firstSeenAt: '2025-02-01T10:05:00.000Z',
        lastSeenAt: '2025-02-01T10:05:00.700Z',
        counts: { REVOKED: 4 },
      }),
      usage(3, {
        keyId: 'key_b',
        firstSeenAt: '2025-02-01T09:00:00.000Z',
        lastSeenAt: '2025-02-01T09:00:00.000Z',
        counts: { NOT_FOUND: 1 },
      }),
    ]).filter(isKeyed);
    const [a, b] = activityAdditions(rows);
    expect(a).toMatchObject({ keyId: 'key_a', workspaceId: 'ws_1' });
    expect(new Date(a?.firstSeenAt ?? 0).toISOString()).toBe('2025-02-01T10:00:00.100Z');
    expect(new Date(a?.lastSeenAt ?? 0).toISOString()).toBe('2025-02-01T10:05:00.700Z');
    expect(new Date(a?.lastUsedAt ?? 0).toISOString()).toBe('2025-02-01T10:00:00.500Z');
    expect(a?.counts).toEqual([1, 0, 0, 4, 0, 0, 0, 0, 0, 0]);
    expect(b).toMatchObject({ keyId: 'key_b', lastUsedAt: null });
  });

  it('merges addresses per key and gives each new one to the earliest window that saw it', () => {
    const rows = windowRows([
      usage(2, {
        firstSeenAt: '2025-02-01T10:00:02.000Z',
        lastSeenAt: '2025-02-01T10:00:02.000Z',
        clientAddresses: ['198.51.100.1', '2001:db8::1'],
      }),
      usage(1, {
        firstSeenAt: '2025-02-01T10:00:01.000Z',
        lastSeenAt: '2025-02-01T10:00:01.000Z',
        clientAddresses: ['::ffff:198.51.100.1'],
      }),
    ]).filter(isKeyed);
    const additions = addressAdditions(rows);
    expect(additions.map((row) => [row.address, row.windows])).toEqual([
      ['198.51.100.1', 2],
      ['2001:db8::1', 1],
    ]);
    expect(new Date(additions[0]?.firstSeenAt ?? 0).toISOString()).toBe('2025-02-01T10:00:01.000Z');
    const fresh = newAddressesByWindow(rows, (_key, address) => address !== '2001:db8::1');
    expect(rows.map((row) => fresh.get(row))).toEqual([['198.51.100.1'], []]);
  });
});
