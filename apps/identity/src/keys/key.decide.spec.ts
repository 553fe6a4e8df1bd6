import { KEY_EVENT_TYPES, WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { foldEvents } from '../event-store/decider';
import { deciderHarness, type History } from '../event-store/decider-harness';
import { type IssueKeyCommand, type KeyCommand, keyDecider } from './key.decide';
import { KeyError, KeyErrorCode } from './key.errors';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const HOUR = 3_600_000;

const issue: IssueKeyCommand = {
  kind: 'issue',
  data: {
    keyId: 'key_abc',
    workspaceId: 'ws_abc',
    name: 'warehouse',
    environment: 'live',
    keyHash: 'a'.repeat(64),
    start: 'kw_live_abcd',
    last4: 'wxyz',
    scopes: ['companies:read'],
    rateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
    credits: null,
    allowedCidrs: null,
    expiresAt: null,
    ownerId: null,
    metadata: {},
    createdBy: 'system',
  },
};

const harness = deciderHarness(keyDecider, {
  aggregateId: 'key_abc',
  workspaceId: 'ws_abc',
  now: t0,
});
const given = (history: History<KeyCommand>) => harness.given(history);

const issued = (overrides: Partial<IssueKeyCommand['data']> = {}): [KeyCommand, Date] => [
  { ...issue, data: { ...issue.data, ...overrides } },
  t0,
];
const rotate = (keyHash: string, gracePeriodMs: number): KeyCommand => ({
  kind: 'rotate',
  keyHash,
  start: 'kw_live_new1',
  last4: 'new1',
  gracePeriodMs,
});

describe('key decisions (given / when / then)', () => {
  describe('issue', () => {
    it('given nothing, when issued, then one issued event stamped with now and an active key at version 1', () => {
      expect(given([]).when(issue)).toEqual([
        { type: KEY_EVENT_TYPES.issued, data: { ...issue.data, createdAt: t0.toISOString() } },
      ]);
      expect(given([]).then(issue)).toMatchObject({
        status: 'active',
        version: 1,
        lastRotatedAt: null,
      });
    });

    it('given an existing key, when issued again, then refused', () => {
      expect(() => given([issued()]).when(issue)).toThrow(
        new KeyError(KeyErrorCode.KEY_EXISTS, 'the key already exists'),
      );
    });
  });

  describe('update', () => {
    it('given an active key, when updated, then only the fields that differ are in the event', () => {
      const events = given([issued()]).when({
        kind: 'update',
        changes: { name: 'warehouse', scopes: ['a:b'] },
      });
      expect(events).toEqual([{ type: KEY_EVENT_TYPES.updated, data: { scopes: ['a:b'] } }]);
    });

    it('given an active key, when updated to what it already is, then nothing happens', () => {
      expect(given([issued()]).when({ kind: 'update', changes: { name: 'warehouse' } })).toEqual(
        [],
      );
    });

    it('given an active key, when its expiry is set in the past, then refused', () => {
      expect(() =>
        given([issued()]).when({
          kind: 'update',
          changes: { expiresAt: '2020-01-01T00:00:00.000Z' },
        }),
      ).toThrow(KeyError);
    });

    it('given a revoked key, when updated, then refused', () => {
      const history = given([issued(), [{ kind: 'revoke', reason: null }, t0]]);
      expect(() => history.when({ kind: 'update', changes: { name: 'x' } })).toThrow(
        /revoked key cannot be updated/,
      );
    });

    it('given nothing, when updated, then not found', () => {
      expect(() => given([]).when({ kind: 'update', changes: { name: 'x' } })).toThrow(/not found/);
    });
  });

  describe('rotate', () => {
    it('given an active key, when rotated with a grace period, then the old secret works until then', () => {
      const key = given([issued()]).then(rotate('b'.repeat(64), 24 * HOUR));
      expect(key).toMatchObject({
        keyHash: 'b'.repeat(64),
        start: 'kw_live_new1',
        previousKeyHash: 'a'.repeat(64),
        previousKeyExpiresAt: later(24 * HOUR).toISOString(),
        lastRotatedAt: t0.toISOString(),
        version: 2,
      });
    });

    it('given a key expiring in 1 h, when rotated with 24 h grace, then the old secret ends with the key', () => {
      const key = given([issued({ expiresAt: later(HOUR).toISOString() })]).then(
        rotate('b'.repeat(64), 24 * HOUR),
      );
      expect(key.previousKeyExpiresAt).toBe(later(HOUR).toISOString());
    });

    it('given a rotation inside its grace period, when rotated again, then only the latest previous secret survives', () => {
      const history = given([issued(), [rotate('b'.repeat(64), 24 * HOUR), t0]]);
      const key = history.then(rotate('c'.repeat(64), HOUR), later(HOUR));
      expect(key).toMatchObject({
        keyHash: 'c'.repeat(64),
        previousKeyHash: 'b'.repeat(64),
        previousKeyExpiresAt: later(2 * HOUR).toISOString(),
      });
    });

    it('given an expired key, when rotated, then refused', () => {
      const history = given([
        issued({ expiresAt: later(HOUR).toISOString() }),
        [{ kind: 'expire' }, later(HOUR)],
      ]);
      expect(() => history.when(rotate('b'.repeat(64), 0))).toThrow(
        /expired key cannot be rotated/,
      );
    });
  });

  describe('revoke', () => {
    it('given an active key, when revoked, then revoked with the reason and time', () => {
      const key = given([issued()]).then({ kind: 'revoke', reason: 'leaked' }, later(5));
      expect(key).toMatchObject({
        status: 'revoked',
        revokeReason: 'leaked',
        revokedAt: later(5).toISOString(),
      });
    });

    it('given a revoked key, when revoked again, then refused', () => {
      expect(() =>
        given([issued(), [{ kind: 'revoke', reason: null }, t0]]).when({
          kind: 'revoke',
          reason: null,
        }),
      ).toThrow(/already revoked/);
    });

    it('given an expired key, when revoked, then revoked', () => {
      const history = given([
        issued({ expiresAt: later(HOUR).toISOString() }),
        [{ kind: 'expire' }, later(HOUR)],
      ]);
      expect(history.then({ kind: 'revoke', reason: null }).status).toBe('revoked');
    });
  });

  describe('expire', () => {
    const expiring = issued({ expiresAt: later(HOUR).toISOString() });

    it('given a key whose time has come, when expired, then one expired event at its expiry time', () => {
      expect(given([expiring]).when({ kind: 'expire' }, later(HOUR + 5))).toEqual([
        { type: KEY_EVENT_TYPES.expired, data: { expiredAt: later(HOUR).toISOString() } },
      ]);
    });

    it('given a key not yet due, or already expired, revoked or without expiry, when expired, then nothing', () => {
      expect(given([expiring]).when({ kind: 'expire' }, later(HOUR - 1))).toEqual([]);
      expect(
        given([expiring, [{ kind: 'expire' }, later(HOUR)]]).when(
          { kind: 'expire' },
          later(2 * HOUR),
        ),
      ).toEqual([]);
      expect(
        given([expiring, [{ kind: 'revoke', reason: null }, t0]]).when(
          { kind: 'expire' },
          later(2 * HOUR),
        ),
      ).toEqual([]);
      expect(given([issued()]).when({ kind: 'expire' }, later(1000 * HOUR))).toEqual([]);
    });
  });

  describe('past its expiresAt, before the scheduler records it', () => {
    const expiresAt = later(HOUR).toISOString();
    const pastExpiry = later(HOUR + 1);
    const key = () => given([issued({ expiresAt })]);

    it.each<[string, KeyCommand]>([
      ['cleared expiry', { kind: 'update', changes: { expiresAt: null } }],
      ['later expiry', { kind: 'update', changes: { expiresAt: later(48 * HOUR).toISOString() } }],
      ['new name', { kind: 'update', changes: { name: 'renamed' } }],
      ['rotation', rotate('b'.repeat(64), HOUR)],
    ])('when changed (%s), then refused as not active', (_, command) => {
      expect(() => key().when(command, pastExpiry)).toThrow(
        expect.objectContaining({ code: KeyErrorCode.KEY_NOT_ACTIVE }),
      );
    });

    it('when revoked or deleted, then recorded (ending a key is always allowed)', () => {
      expect(key().when({ kind: 'revoke', reason: null }, pastExpiry)).toHaveLength(1);
      expect(key().when({ kind: 'delete' }, pastExpiry)).toHaveLength(1);
    });

    it('a moment before its expiry, then still changeable', () => {
      expect(key().when({ kind: 'update', changes: { name: 'renamed' } }, later(HOUR - 1))).toEqual(
        [{ type: KEY_EVENT_TYPES.updated, data: { name: 'renamed' } }],
      );
    });
  });

  describe('announceExpiring', () => {
    const DAY = 24 * HOUR;
    const announce = (leadTimeMs = 7 * DAY): KeyCommand => ({
      kind: 'announceExpiring',
      leadTimeMs,
    });
    const expiring = (secret: 'current' | 'previous', expiresAt: Date) => ({
      type: KEY_EVENT_TYPES.expiring,
      data: { secret, expiresAt: expiresAt.toISOString() },
    });
    const in30Days = issued({ expiresAt: later(30 * DAY).toISOString() });

    it('given a key expiring in 30 days, when asked, then nothing before the lead time and one event from it on', () => {
      const key = given([in30Days]);
      expect(key.when(announce(), later(23 * DAY - 1))).toEqual([]);
      expect(key.when(announce(), later(23 * DAY))).toEqual([expiring('current', later(30 * DAY))]);
      expect(key.when(announce(), later(30 * DAY - 1))).toEqual([
        expiring('current', later(30 * DAY)),
      ]);
    });

    it('given an announced expiry, when asked again, then nothing; the state remembers what was announced', () => {
      const key = given([in30Days, [announce(), later(24 * DAY)]]);
      expect(key.events.map((event) => event.type).at(-1)).toBe(KEY_EVENT_TYPES.expiring);
      expect(key.state).toMatchObject({
        status: 'active',
        version: 2,
        expiringNotifiedFor: later(30 * DAY).toISOString(),
      });
      expect(key.when(announce(), later(25 * DAY))).toEqual([]);
    });

    it('given an announced expiry moved later, when asked, then announced again once the new one is near', () => {
      const key = given([
        in30Days,
        [announce(), later(24 * DAY)],
        [
          { kind: 'update', changes: { expiresAt: later(60 * DAY).toISOString() } },
          later(25 * DAY),
        ],
      ]);
      expect(key.when(announce(), later(26 * DAY))).toEqual([]);
      expect(key.when(announce(), later(53 * DAY))).toEqual([expiring('current', later(60 * DAY))]);
    });

    it('given an expiry set with less than the lead time left, when asked, then announced at once', () => {
      // A 1-day key with a 7-day lead time: warned now rather than never.
      const key = given([issued({ expiresAt: later(DAY).toISOString() })]);
      expect(key.when(announce(), t0)).toEqual([expiring('current', later(DAY))]);
    });

    it('given a key past its expiry, expired, revoked, without expiry or no lead time, when asked, then nothing', () => {
      const inHour = issued({ expiresAt: later(HOUR).toISOString() });
      expect(given([inHour]).when(announce(), later(HOUR))).toEqual([]);
      expect(given([inHour, [{ kind: 'expire' }, later(HOUR)]]).when(announce(), t0)).toEqual([]);
      expect(given([inHour, [{ kind: 'revoke', reason: null }, t0]]).when(announce())).toEqual([]);
      expect(given([issued()]).when(announce(), later(1000 * DAY))).toEqual([]);
      expect(given([inHour]).when(announce(0))).toEqual([]);
      expect(given([]).when(announce())).toEqual([]);
    });

    it("given a rotation's grace period, when asked, then the previous secret is announced once per rotation", () => {
      const rotated = given([issued(), [rotate('b'.repeat(64), DAY), t0]]);
      expect(rotated.when(announce(HOUR), t0)).toEqual([]);
      expect(rotated.when(announce(), t0)).toEqual([expiring('previous', later(DAY))]);
      const announced = given([
        issued(),
        [rotate('b'.repeat(64), DAY), t0],
        [announce(), later(HOUR)],
      ]);
      expect(announced.state?.previousExpiringNotifiedFor).toBe(later(DAY).toISOString());
      expect(announced.when(announce(), later(2 * HOUR))).toEqual([]);
      expect(announced.when(announce(), later(DAY))).toEqual([]); // the grace is over

      const again = given([
        issued(),
        [rotate('b'.repeat(64), DAY), t0],
        [announce(), later(HOUR)],
        [rotate('c'.repeat(64), DAY), later(2 * HOUR)],
      ]);
      expect(again.state?.previousExpiringNotifiedFor).toBeNull();
      expect(again.when(announce(), later(3 * HOUR))).toEqual([
        expiring('previous', later(DAY + 2 * HOUR)),
      ]);
    });

    it('given a rotation without grace, when asked, then nothing for the previous secret', () => {
      expect(given([issued(), [rotate('b'.repeat(64), 0), t0]]).when(announce())).toEqual([]);
    });

    it("given a grace period ending with the key, when asked, then only the key's own expiry", () => {
      const key = given([
        issued({ expiresAt: later(HOUR).toISOString() }),
        [rotate('b'.repeat(64), DAY), t0],
      ]);
      expect(key.state?.previousKeyExpiresAt).toBe(later(HOUR).toISOString());
      expect(key.when(announce())).toEqual([expiring('current', later(HOUR))]);
    });

    it('given both secrets ending within the lead time, when asked, then both, the current first', () => {
      const key = given([
        issued({ expiresAt: later(3 * DAY).toISOString() }),
        [rotate('b'.repeat(64), DAY), t0],
      ]);
      expect(key.when(announce())).toEqual([
        expiring('current', later(3 * DAY)),
        expiring('previous', later(DAY)),
      ]);
      expect(key.then(announce())).toMatchObject({
        version: 4,
        expiringNotifiedFor: later(3 * DAY).toISOString(),
        previousExpiringNotifiedFor: later(DAY).toISOString(),
      });
    });
  });

  describe('delete', () => {
    it('given a key, when deleted, then deleted; and then it is gone for every command', () => {
      const history = given([issued(), [{ kind: 'delete' }, t0]]);
      expect(history.state?.status).toBe('deleted');
      expect(() => history.when({ kind: 'delete' })).toThrow(/not found/);
      expect(() => history.when({ kind: 'revoke', reason: null })).toThrow(/not found/);
      expect(() => history.when(rotate('b'.repeat(64), 0))).toThrow(/not found/);
    });

    it('given a revoked key, when deleted, then deleted', () => {
      expect(
        given([issued(), [{ kind: 'revoke', reason: null }, t0]]).then({ kind: 'delete' }).status,
      ).toBe('deleted');
    });
  });

  it("reads an id whose events are not a key's as no key (404, not a bug)", () => {
    const member = given([issued()]).events.map((event) => ({
      ...event,
      type: WORKSPACE_EVENT_TYPES.memberAdded,
      data: { memberId: 'mem_a', email: 'a@x.io', role: 'member' },
    }));
    expect(foldEvents(keyDecider, member)).toBeNull();
  });

  it('keeps version equal to the number of events (the sequence)', () => {
    const key = given([
      issued(),
      [{ kind: 'update', changes: { name: 'x' } }, t0],
      [rotate('b'.repeat(64), 0), t0],
    ]).then({ kind: 'revoke', reason: null });
    expect(key.version).toBe(4);
  });
});
