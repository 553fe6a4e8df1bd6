import { keyEvents } from './key-events.fixture';
import { keyRecordChange } from './key-record-change';

const fields = (change: ReturnType<typeof keyRecordChange>) => Object.fromEntries(change.fields);

describe('keyRecordChange', () => {
  it('given an issued key, then the record holds what verification needs and no display parts', () => {
    const events = keyEvents();
    const change = keyRecordChange(
      events.issued({
        scopes: ['companies:read', 'orders:*'],
        allowedCidrs: ['10.0.0.0/8'],
        expiresAt: '2030-01-01T00:00:00.000Z',
        credits: { remaining: 5, refill: { amount: 10, interval: 'daily' } },
      }),
    );
    expect(change).toMatchObject({
      kind: 'issued',
      status: 'active',
      sequence: 1,
      creditsSet: true,
    });
    expect(fields(change)).toMatchObject({
      ws: 'ws_test',
      env: 'live',
      h: events.firstHash,
      's:companies:read': '1',
      's:orders:*': '1',
      'rl:default': '100:60000',
      exp: String(Date.parse('2030-01-01T00:00:00.000Z')),
      cr: '5',
      crA: '10',
      crI: 'daily',
      cidr: '00000000000000000000ffff0a000000-00000000000000000000ffff0affffff',
      owner: '',
      cap: '',
    });
    expect(JSON.stringify(change)).not.toMatch(/kw_live_abcd|wxyz/);
    expect(change.hashes).toEqual([{ hash: events.firstHash }]);
  });

  it('given a member owner, then the key is capped as unknown until the member is projected', () => {
    const change = keyRecordChange(keyEvents().issued({ ownerId: 'mem_1' }));
    expect(change.memberOwner).toBe('mem_1');
    expect(fields(change)).toMatchObject({ owner: 'mem_1', cap: '?' });
  });

  it('given an update of scopes and limits, then those field families are replaced as a whole', () => {
    const change = keyRecordChange(
      keyEvents().updated(2, { scopes: ['a:b'], rateLimits: [], credits: null }),
    );
    expect(change.clear).toEqual(['s:', 'rl:']);
    expect(fields(change)).toMatchObject({ scopes: '["a:b"]', 's:a:b': '1', rls: '[]', cr: '' });
    expect(change.status).toBe('');
    expect(change.creditsSet).toBe(false);
  });

  it('given a rotation, then both hashes are indexed, the previous one until its grace ends', () => {
    const events = keyEvents();
    const change = keyRecordChange(events.rotated(2, 'f'.repeat(64), '2030-01-01T00:00:00.000Z'));
    expect(fields(change)).toMatchObject({ h: 'f'.repeat(64), ph: events.firstHash });
    expect(change.hashes).toEqual([
      { hash: 'f'.repeat(64) },
      { hash: events.firstHash, expiresAtMs: Date.parse('2030-01-01T00:00:00.000Z') },
    ]);
  });

  it.each([
    ['revoked', 'revoked'],
    ['expired', 'expired'],
    ['deleted', 'deleted'],
  ] as const)('given a %s event, then the status moves to %s', (kind, status) => {
    expect(keyRecordChange(keyEvents()[kind](2))).toMatchObject({ kind, status, fields: [] });
  });
});
