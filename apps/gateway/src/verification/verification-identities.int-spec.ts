import { Cluster, Redis } from 'ioredis';
import { generateKey, hashKey } from '@keyway/key-material';
import { startThrowawayRedisCluster, type ThrowawayRedisCluster } from '@keyway/platform-testing';
import { identityEvents } from '../projection/identity-events.fixture';
import { identityTag, redisKeys } from '../record/redis-keys';
import { TEST_PEPPER, verificationOn } from './verification.fixture';

// Keys owned by identities, judged by the same one script against the identity's current record,
// on the shared Redis and on a private 3-master Redis Cluster (where a key, its windows, its
// identity and the identity's windows must share one slot, or Redis answers CROSSSLOT).
// Every test uses its own external ids and key ids: nothing is flushed.
const GENEROUS = { GATEWAY_REDIS_TIMEOUT_MS: '5000' };
const minute = (name: string, limit: number) => ({
  name,
  limit,
  window: '60s',
  windowMs: 60_000,
});
const at = (iso: string) => new Date(iso).toISOString();

type Connection = Redis | Cluster;

describe.each([
  ['one Redis', 'single'],
  ['a Redis Cluster (3 masters)', 'cluster'],
] as const)('keys owned by identities, on %s', (_, kind) => {
  let cluster: ThrowawayRedisCluster | undefined;
  let redis: Connection;
  let gw: ReturnType<typeof verificationOn>;

  beforeAll(async () => {
    if (kind === 'cluster') {
      cluster = await startThrowawayRedisCluster({ masters: 3 });
      redis = new Cluster([...cluster.nodes], { enableAutoPipelining: true });
    } else {
      redis = new Redis(process.env['REDIS_URL'] ?? '', { enableAutoPipelining: true });
    }
    gw = verificationOn(redis, GENEROUS);
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  /** An identity projected through the consumer's decoder, and a way to issue its keys. */
  const identity = async (created: Parameters<ReturnType<typeof identityEvents>['created']>[0]) => {
    const events = identityEvents();
    expect(await gw.applyWorkspace(events.created(created))).toMatchObject({
      identitiesChanged: 1,
      poison: [],
    });
    return events;
  };
  const keyOf = (
    events: ReturnType<typeof identityEvents>,
    data: Parameters<typeof gw.issue>[0] = {},
  ) =>
    gw.issue({
      ownerId: events.externalId,
      createdAt: '2026-01-02T00:00:00.000Z',
      scopes: ['*'],
      ...data,
    });

  it('caps a key by its identity: only scopes both grant, answered as the effective scopes', async () => {
    const owner = await identity({
      scopes: ['orders:read', 'reports:*'],
      metadata: { plan: 'pro' },
    });
    const key = await keyOf(owner, {
      scopes: ['orders:read', 'orders:write', 'reports:export', 'keyway:keys:read'],
      metadata: { team: 'bi' },
    });
    expect(
      await gw.verify(key.secret, { scopes: ['orders:read', 'reports:export'] }),
    ).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: key.keyId,
      ownerId: owner.externalId,
      metadata: { team: 'bi' },
      scopes: ['orders:read', 'reports:export'],
    });
    for (const scope of ['orders:write', 'reports:*', 'keyway:keys:read', 'users:read']) {
      expect((await gw.verify(key.secret, { scopes: [scope] })).code).toBe('INSUFFICIENT_SCOPE');
    }
  });

  it('lets a ["*"] key inherit all its identity scopes, and follows a scope change at once', async () => {
    const owner = await identity({ scopes: ['orders:read', 'reports:*'] });
    const all = await keyOf(owner, { scopes: ['*'] });
    const narrow = await keyOf(owner, { scopes: ['orders:read'] });
    expect(await gw.verify(all.secret, { scopes: ['reports:export'] })).toMatchObject({
      code: 'VALID',
      scopes: ['orders:read', 'reports:*'],
    });
    expect((await gw.verify(all.secret, { scopes: ['users:read'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    // One write to the identity: every key of it follows on its next check.
    await gw.applyWorkspace(owner.updated(2, { scopes: ['users:read'] }));
    expect((await gw.verify(all.secret, { scopes: ['orders:read'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    expect(await gw.verify(all.secret, { scopes: ['users:read'] })).toMatchObject({
      code: 'VALID',
      scopes: ['users:read'],
    });
    expect((await gw.verify(narrow.secret, { scopes: ['orders:read'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    expect((await gw.verify(narrow.secret)).scopes).toEqual([]);
    // A duplicate or older update changes nothing.
    await gw.applyWorkspace(owner.updated(2, { scopes: ['orders:read'] }), owner.created());
    expect((await gw.verify(narrow.secret, { scopes: ['orders:read'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    await gw.applyWorkspace(owner.updated(3, { scopes: ['orders:*'] }));
    expect((await gw.verify(narrow.secret, { scopes: ['orders:read'] })).code).toBe('VALID');
  });

  it('revokes every key and session of a deleted identity at once', async () => {
    const owner = await identity({ scopes: ['orders:read'] });
    const key = await keyOf(owner);
    const token = await gw.sessions.issue(
      { keyId: key.keyId, keyHash: key.keyHash },
      new Date(Date.now() + 60_000),
    );
    expect((await gw.verify(token)).code).toBe('VALID');
    await gw.applyWorkspace(owner.deleted(2, '2026-01-03T00:00:00.000Z'));
    expect(await gw.verify(key.secret)).toMatchObject({ code: 'REVOKED', keyId: key.keyId });
    expect((await gw.verify(token)).code).toBe('REVOKED');
    // Its history replayed (a rebuild, a redelivery) does not bring it back.
    await gw.applyWorkspace(owner.created(), owner.updated(2, { scopes: ['orders:read'] }));
    expect((await gw.verify(key.secret)).code).toBe('REVOKED');
  });

  it('treats a recreated external id as a new identity: old keys stay revoked, new ones work', async () => {
    const first = identityEvents();
    const second = identityEvents(first.externalId);
    await gw.applyWorkspace(
      first.created({ scopes: ['orders:read'], createdAt: at('2026-01-01T00:00:00Z') }),
    );
    const old = await keyOf(first, { createdAt: at('2026-01-01T01:00:00Z') });
    expect((await gw.verify(old.secret)).code).toBe('VALID');
    await gw.applyWorkspace(
      first.deleted(2, at('2026-01-02T00:00:00Z')),
      second.created({ scopes: ['users:read'], createdAt: at('2026-01-03T00:00:00Z') }),
    );
    const fresh = await keyOf(second, { createdAt: at('2026-01-03T01:00:00Z'), scopes: ['*'] });
    expect((await gw.verify(old.secret)).code).toBe('REVOKED');
    expect(await gw.verify(fresh.secret, { scopes: ['users:read'] })).toMatchObject({
      code: 'VALID',
      scopes: ['users:read'],
    });
    // The first life's events again, in any order, never replace the second.
    await gw.applyWorkspace(
      first.deleted(2, at('2026-01-02T00:00:00Z')),
      first.created({ scopes: ['orders:read'], createdAt: at('2026-01-01T00:00:00Z') }),
      first.updated(2, { scopes: ['orders:read'] }),
    );
    expect((await gw.verify(fresh.secret, { scopes: ['users:read'] })).code).toBe('VALID');
    expect((await gw.verify(old.secret)).code).toBe('REVOKED');
  });

  it('judges old lives by when they ended, so clock skew at issue does not revoke a new key', async () => {
    // Issued a moment "before" its identity by a replica whose clock lags: its own life.
    const owner = await identity({
      scopes: ['orders:read'],
      createdAt: at('2026-01-01T00:00:00Z'),
    });
    const skewed = await keyOf(owner, { createdAt: at('2025-12-31T23:59:59.950Z') });
    expect((await gw.verify(skewed.secret, { scopes: ['orders:read'] })).code).toBe('VALID');
    // Recreated: keys from before the deletion are the old life's, keys after it the new one's.
    const next = identityEvents(owner.externalId);
    await gw.applyWorkspace(
      owner.deleted(2, at('2026-01-02T00:00:00Z')),
      next.created({ scopes: ['users:read'], createdAt: at('2026-01-02T00:00:01Z') }),
    );
    const lagging = await keyOf(next, { createdAt: at('2026-01-02T00:00:00.500Z') });
    expect((await gw.verify(skewed.secret)).code).toBe('REVOKED');
    expect((await gw.verify(lagging.secret, { scopes: ['users:read'] })).code).toBe('VALID');
    // The deletion projected only after the new life: the old life ended before it began.
    const third = identityEvents(owner.externalId);
    const beforeThird = await keyOf(next, { createdAt: at('2026-01-03T00:00:00Z') });
    await gw.applyWorkspace(
      third.created({ scopes: ['users:read'], createdAt: at('2026-01-04T00:00:00Z') }),
      next.deleted(2, at('2026-01-03T12:00:00Z')),
    );
    expect((await gw.verify(beforeThird.secret)).code).toBe('REVOKED');
  });

  it('fails closed while a key’s identity is unknown, whichever topic the gateway reads first', async () => {
    // The key first, its identity later (the two topics are read independently).
    const owner = identityEvents();
    const key = await keyOf(owner, { createdAt: at('2026-01-01T01:00:00Z') });
    expect(await gw.verify(key.secret)).toMatchObject({ code: 'NOT_FOUND', keyId: null });
    await gw.applyWorkspace(owner.created({ createdAt: at('2026-01-01T00:00:00Z') }));
    expect((await gw.verify(key.secret, { scopes: ['orders:read'] })).code).toBe('VALID');

    // A free-form owner that is no identity: never valid, whether named at issue or later.
    const stray = await gw.issue({ ownerId: 'legacy-owner-without-identity' });
    expect((await gw.verify(stray.secret)).code).toBe('NOT_FOUND');
    const moved = await gw.issue({ ownerId: null });
    expect((await gw.verify(moved.secret)).code).toBe('VALID');
    await gw.apply(moved.events.updated(2, { ownerId: 'legacy-owner-without-identity' }));
    expect((await gw.verify(moved.secret)).code).toBe('NOT_FOUND');

    // Deleted then recreated: a key of the new life seen before the new life is NOT_FOUND (not
    // REVOKED for good), then valid; a key of the old life seen only now is REVOKED.
    const first = identityEvents();
    const second = identityEvents(first.externalId);
    await gw.applyWorkspace(
      first.created({ createdAt: at('2026-01-01T00:00:00Z') }),
      first.deleted(2, at('2026-01-02T00:00:00Z')),
    );
    const newer = await keyOf(second, { createdAt: at('2026-01-03T01:00:00Z') });
    const older = await keyOf(first, { createdAt: at('2026-01-01T01:00:00Z') });
    expect((await gw.verify(newer.secret)).code).toBe('NOT_FOUND');
    expect((await gw.verify(older.secret)).code).toBe('REVOKED');
    await gw.applyWorkspace(second.created({ createdAt: at('2026-01-03T00:00:00Z') }));
    expect((await gw.verify(newer.secret)).code).toBe('VALID');
    expect((await gw.verify(older.secret)).code).toBe('REVOKED');
  });

  it('parks an update of an identity it never saw created, and a deletion alone still revokes', async () => {
    const ghost = identityEvents();
    const result = await gw.applyWorkspace(ghost.updated(2, { scopes: ['a:b'] }));
    expect(result.poison).toHaveLength(1);
    expect(result.poison[0]?.reason).toMatch(/before its identity.created/);
    const key = await keyOf(ghost, { createdAt: at('2025-12-31T00:00:00Z') });
    await gw.applyWorkspace(ghost.deleted(3, at('2026-01-01T00:00:00Z')));
    expect((await gw.verify(key.secret)).code).toBe('REVOKED');
  });

  it('charges shared identity limits with the key’s own, all or nothing', async () => {
    const owner = await identity({
      scopes: ['orders:read'],
      rateLimits: [minute('default', 3), minute('send', 5)],
    });
    const a = await keyOf(owner, { rateLimits: [minute('default', 100), minute('send', 1)] });
    const b = await keyOf(owner, { rateLimits: [] });
    const tag = identityTag(owner.workspaceId, owner.externalId);
    const count = async (key: string) => (await redis.hget(key, 'n')) ?? '0';
    const shared = redisKeys.identityRateLimit(tag, 'default');

    for (const remaining of [2, 1, 0]) {
      expect(await gw.verify(a.secret)).toMatchObject({
        code: 'VALID',
        ratelimit: { name: 'default', limit: 3, remaining },
        ratelimits: [{ name: 'default', limit: 3, remaining }],
      });
    }
    // A spent the identity's window: B, with no limit of its own, is refused by it.
    const denied = await gw.verify(b.secret);
    expect(denied).toMatchObject({
      code: 'RATE_LIMITED',
      ratelimit: { name: 'default', limit: 3, remaining: 0, passed: false },
    });
    expect(Date.parse(denied.ratelimit?.resetAt ?? '')).toBeGreaterThan(Date.now());
    expect((await gw.verify(a.secret)).code).toBe('RATE_LIMITED');
    // Refusals charged nothing, anywhere.
    expect(await count(shared)).toBe('3');
    expect(await count(redisKeys.rateLimit(a.keyId, 'default', tag))).toBe('3');

    // The key's own limit refuses: the identity's window of that name is not charged either.
    const send = [{ name: 'send' }];
    expect((await gw.verify(a.secret, { charges: send })).code).toBe('VALID');
    expect(await gw.verify(a.secret, { charges: send })).toMatchObject({
      code: 'RATE_LIMITED',
      ratelimit: { name: 'send', limit: 1, remaining: 0, passed: false },
    });
    expect(await count(redisKeys.identityRateLimit(tag, 'send'))).toBe('1');
    // Several names at once: one refusal (default) leaves the other (send) uncharged.
    expect(
      (await gw.verify(b.secret, { charges: [{ name: 'send' }, { name: 'default' }] })).code,
    ).toBe('RATE_LIMITED');
    expect(await count(redisKeys.identityRateLimit(tag, 'send'))).toBe('1');
    expect((await gw.verify(b.secret, { charges: send })).code).toBe('VALID');
    expect(await count(redisKeys.identityRateLimit(tag, 'send'))).toBe('2');

    // The limits follow the identity: raised, B passes again on the same window.
    await gw.applyWorkspace(owner.updated(2, { rateLimits: [minute('default', 10)] }));
    expect(await gw.verify(b.secret)).toMatchObject({
      code: 'VALID',
      ratelimit: { name: 'default', limit: 10, remaining: 6 },
    });
  });

  it('starts a recreated identity’s shared windows empty', async () => {
    const first = identityEvents();
    await gw.applyWorkspace(
      first.created({ rateLimits: [minute('default', 2)], createdAt: at('2026-01-01T00:00:00Z') }),
    );
    const old = await keyOf(first, { rateLimits: [], createdAt: at('2026-01-01T01:00:00Z') });
    await gw.verify(old.secret);
    await gw.verify(old.secret);
    expect((await gw.verify(old.secret)).code).toBe('RATE_LIMITED');
    const second = identityEvents(first.externalId);
    await gw.applyWorkspace(
      first.deleted(2, at('2026-01-02T00:00:00Z')),
      second.created({ rateLimits: [minute('default', 2)], createdAt: at('2026-01-03T00:00:00Z') }),
    );
    const fresh = await keyOf(second, { rateLimits: [], createdAt: at('2026-01-03T01:00:00Z') });
    expect(await gw.verify(fresh.secret)).toMatchObject({
      code: 'VALID',
      ratelimit: { remaining: 1 },
    });
  });

  it('keeps a key of an identity, its windows, the identity and its windows in one slot', async () => {
    const owner = await identity({ rateLimits: [minute('default', 10)] });
    const key = await keyOf(owner, { rateLimits: [minute('default', 10)] });
    expect((await gw.verify(key.secret)).code).toBe('VALID');
    const tag = identityTag(owner.workspaceId, owner.externalId);
    const all = [
      redisKeys.record(key.keyId, tag),
      redisKeys.rateLimit(key.keyId, 'default', tag),
      redisKeys.identity(tag),
      redisKeys.identityRateLimit(tag, 'default'),
    ];
    expect(await Promise.all(all.map((name) => redis.exists(name)))).toEqual([1, 1, 1, 1]);
    if (redis instanceof Cluster) {
      const slots = await Promise.all(all.map((name) => redis.cluster('KEYSLOT', name)));
      expect(new Set(slots).size).toBe(1);
    }
    // Later events of the key find its record under the identity's tag.
    await gw.apply(key.events.revoked(2));
    expect((await gw.verify(key.secret)).code).toBe('REVOKED');
    expect(await redis.hget(redisKeys.record(key.keyId, tag), 'status')).toBe('revoked');
    expect(await redis.exists(redisKeys.record(key.keyId))).toBe(0);
  });

  it('rotates a key of an identity and deletes it, under the identity’s tag', async () => {
    const owner = await identity({ scopes: ['orders:read'] });
    const key = await keyOf(owner);
    const secret = generateKey('kw', 'live');
    await gw.apply(
      key.events.rotated(2, hashKey(TEST_PEPPER, secret), '2999-01-01T00:00:00.000Z', key.keyHash),
    );
    expect(await gw.verify(secret, { expectedKeyId: key.keyId })).toMatchObject({
      code: 'VALID',
      keyId: key.keyId,
    });
    expect((await gw.verify(key.secret)).code).toBe('VALID'); // within its grace period
    await gw.apply(key.events.deleted(3));
    expect((await gw.verify(key.secret)).code).toBe('NOT_FOUND');
  });
});

describe('a known key of an identity costs one EVALSHA', () => {
  let redis: Redis;
  let gw: ReturnType<typeof verificationOn>;
  beforeAll(() => {
    redis = new Redis(process.env['REDIS_URL'] ?? '', { enableAutoPipelining: true });
    gw = verificationOn(redis, GENEROUS);
  });
  afterAll(() => redis?.disconnect());

  it('sends exactly one command per check, the script', async () => {
    const owner = identityEvents();
    await gw.applyWorkspace(owner.created({ rateLimits: [minute('default', 100)] }));
    const key = await gw.issue({ ownerId: owner.externalId, scopes: ['*'] });
    const request = { scopes: ['orders:read'], charges: [{ name: 'default' }, { name: 'send' }] };
    // Location cached, script loaded on the connection (ioredis sends EVAL once per socket).
    expect((await gw.verify(key.secret, request)).code).toBe('VALID');
    const sent = jest.spyOn(redis, 'sendCommand');
    const response = await gw.verify(key.secret, request);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(sent.mock.calls[0]?.[0]?.name).toMatch(/^evalsha$/i);
    sent.mockRestore();
    expect(response).toMatchObject({ code: 'VALID', ratelimit: { remaining: 98 } });
  });
});
