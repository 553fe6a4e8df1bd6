import { Redis } from 'ioredis';
import { generateKey, hashKey } from '@keyway/key-material';
import { identityEvents } from '../projection/identity-events.fixture';
import { redisKeys } from '../record/redis-keys';
import { TEST_PEPPER, verificationOn } from './verification.fixture';

describe('verification against Redis (one script)', () => {
  const redis = new Redis(process.env['REDIS_URL'] ?? '', { enableAutoPipelining: true });
  // A generous Redis timeout: these tests are about decisions, some under a burst of 1,000.
  const gw = verificationOn(redis, { GATEWAY_REDIS_TIMEOUT_MS: '5000' });
  afterAll(() => redis.disconnect());

  it('answers VALID with what the caller needs, in one Redis command once the key id is known', async () => {
    const owner = identityEvents();
    await gw.applyWorkspace(owner.created({ scopes: ['companies:*'] }));
    const { secret, keyId } = await gw.issue({
      metadata: { team: 'bi' },
      ownerId: owner.externalId,
    });
    expect(await gw.verify(secret)).toMatchObject({ valid: true, code: 'VALID', keyId });
    const sent = jest.spyOn(redis, 'sendCommand');
    const response = await gw.verify(secret);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(sent.mock.calls[0]?.[0]?.name).toMatch(/^evalsha$/i);
    sent.mockRestore();
    expect(response).toMatchObject({
      valid: true,
      workspaceId: 'ws_test',
      environment: 'live',
      scopes: ['companies:read'],
      ownerId: owner.externalId,
      metadata: { team: 'bi' },
      expiresAt: null,
      ratelimit: { name: 'default', limit: 100, remaining: 98, passed: true },
    });
  });

  it('rejects a malformed key or a bad checksum without any Redis command', async () => {
    const sent = jest.spyOn(redis, 'sendCommand');
    const good = generateKey('kw', 'live');
    const badChecksum = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    for (const candidate of ['nope', badChecksum, 'eyJhbGciOi.e30.sig', `${good}x`]) {
      expect((await gw.verify(candidate)).code).toBe('MALFORMED');
    }
    expect(sent).not.toHaveBeenCalled();
    sent.mockRestore();
  });

  it('answers NOT_FOUND for a well-formed key nobody issued', async () => {
    expect(await gw.verify(generateKey('kw', 'live'))).toMatchObject({
      valid: false,
      code: 'NOT_FOUND',
      keyId: null,
    });
  });

  it('answers REVOKED and EXPIRED, and revoked stays revoked whatever is replayed', async () => {
    const revoked = await gw.issue();
    await gw.apply(revoked.events.revoked(2));
    expect((await gw.verify(revoked.secret)).code).toBe('REVOKED');
    await gw.apply(
      revoked.events.issued(),
      revoked.events.updated(2, { name: 'x' }),
      revoked.events.expired(3),
    );
    expect((await gw.verify(revoked.secret)).code).toBe('REVOKED');

    const past = await gw.issue({ expiresAt: '2020-01-01T00:00:00.000Z' });
    expect(await gw.verify(past.secret)).toMatchObject({
      code: 'EXPIRED',
      expiresAt: '2020-01-01T00:00:00.000Z',
    });
    const expired = await gw.issue();
    await gw.apply(expired.events.expired(2));
    expect((await gw.verify(expired.secret)).code).toBe('EXPIRED');
  });

  it('keeps a deleted key deleted: its tombstone outlives a replay of its history', async () => {
    const key = await gw.issue();
    await gw.apply(key.events.deleted(2));
    expect((await gw.verify(key.secret)).code).toBe('NOT_FOUND');
    expect(await gw.apply(key.events.issued())).toEqual(['duplicate']);
    expect((await gw.verify(key.secret)).code).toBe('NOT_FOUND');
    expect(await redis.hgetall(redisKeys.record(key.keyId))).toEqual({
      seq: '2',
      status: 'deleted',
    });
    expect(await redis.exists(redisKeys.hashIndex(key.keyHash))).toBe(0);
  });

  it('judges environment, client address and scopes (wildcards on the action part)', async () => {
    const { secret } = await gw.issue({
      environment: 'test',
      scopes: ['companies:*', 'orders:read'],
      allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'],
    });
    const inside = { clientAddress: '10.1.2.3' };
    expect((await gw.verify(secret, { ...inside, environment: 'live' })).code).toBe(
      'WRONG_ENVIRONMENT',
    );
    expect((await gw.verify(secret, { clientAddress: '11.0.0.1' })).code).toBe('FORBIDDEN_ADDRESS');
    expect((await gw.verify(secret)).code).toBe('FORBIDDEN_ADDRESS');
    expect((await gw.verify(secret, { clientAddress: '2001:db8::9' })).code).toBe('VALID');
    expect(
      (await gw.verify(secret, { ...inside, scopes: ['companies:delete', 'orders:read'] })).code,
    ).toBe('VALID');
    expect((await gw.verify(secret, { ...inside, scopes: ['orders:write'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    expect((await gw.verify(secret, { ...inside, scopes: ['companies'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
  });

  it('spends credits atomically, answers USAGE_EXCEEDED at zero, and refills at the boundary', async () => {
    const { secret, keyId } = await gw.issue({
      credits: { remaining: 2, refill: { amount: 5, interval: 'daily' } },
    });
    expect(await gw.verify(secret)).toMatchObject({ code: 'VALID', credits: { remaining: 1 } });
    expect(await gw.verify(secret, { creditCost: 0 })).toMatchObject({
      code: 'VALID',
      credits: { remaining: 1 },
    });
    expect(await gw.verify(secret)).toMatchObject({ code: 'VALID', credits: { remaining: 0 } });
    const exceeded = await gw.verify(secret);
    expect(exceeded).toMatchObject({
      code: 'USAGE_EXCEEDED',
      valid: false,
      credits: { remaining: 0 },
    });
    // Charged nothing: the denial did not spend the rate limit either (3 checks passed).
    expect(exceeded.ratelimit?.remaining).toBe(97);
    // The balance was set during an earlier day: the next check refills it to the amount.
    await redis.hincrby(redisKeys.record(keyId), 'crP', -1);
    expect(await gw.verify(secret)).toMatchObject({ code: 'VALID', credits: { remaining: 4 } });
  });

  it('charges several limits all or nothing; cost 0 only checks', async () => {
    const { secret } = await gw.issue({
      rateLimits: [
        { name: 'default', limit: 5, window: '60s', windowMs: 60_000 },
        { name: 'send', limit: 1, window: '60s', windowMs: 60_000 },
      ],
    });
    const both = [{ name: 'default' }, { name: 'send' }];
    expect(await gw.verify(secret, { charges: [{ name: 'send', cost: 0 }] })).toMatchObject({
      code: 'VALID',
      ratelimit: { name: 'send', remaining: 1 },
    });
    expect((await gw.verify(secret, { charges: both })).code).toBe('VALID');
    const denied = await gw.verify(secret, { charges: both });
    expect(denied).toMatchObject({
      code: 'RATE_LIMITED',
      ratelimit: { name: 'send', passed: false },
    });
    expect(denied.ratelimits.find((l) => l.name === 'default')).toMatchObject({
      remaining: 4,
      passed: true,
    });
    expect(await gw.verify(secret, { charges: [{ name: 'default', cost: 4 }] })).toMatchObject({
      code: 'VALID',
      ratelimit: { remaining: 0 },
    });
    expect((await gw.verify(secret, { charges: [{ name: 'default', cost: 0 }] })).code).toBe(
      'RATE_LIMITED',
    );
    expect((await gw.verify(secret, { charges: [{ name: 'unlimited-name' }] })).code).toBe('VALID');
  });

  it('frees a sliding window as its requests age out, and never before resetAt', async () => {
    const { secret } = await gw.issue({
      rateLimits: [{ name: 'default', limit: 2, window: '1s', windowMs: 1_000 }],
    });
    expect((await gw.verify(secret)).code).toBe('VALID');
    expect((await gw.verify(secret)).code).toBe('VALID');
    const denied = await gw.verify(secret);
    expect(denied.code).toBe('RATE_LIMITED');
    const resetAt = Date.parse(denied.ratelimit?.resetAt ?? '');
    expect(resetAt - Date.now()).toBeLessThanOrEqual(1_000 + 17 + 50);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt - Date.now() - 150)));
    expect((await gw.verify(secret)).code).toBe('RATE_LIMITED');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt - Date.now() + 20)));
    expect((await gw.verify(secret)).code).toBe('VALID');
  });

  it('lets the oldest requests age out of a window while keeping the newer ones', async () => {
    const { secret } = await gw.issue({
      rateLimits: [{ name: 'default', limit: 3, window: '1s', windowMs: 1_000 }],
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const codes = async (count: number) => {
      const out: string[] = [];
      for (let i = 0; i < count; i++) out.push((await gw.verify(secret)).code);
      return out;
    };
    const start = Date.now();
    expect(await codes(2)).toEqual(['VALID', 'VALID']);
    await sleep(start + 500 - Date.now());
    expect(await codes(2)).toEqual(['VALID', 'RATE_LIMITED']);
    // The first two left the window (1 s plus one 17 ms bucket), the third has not.
    await sleep(start + 1_100 - Date.now());
    expect(await codes(3)).toEqual(['VALID', 'VALID', 'RATE_LIMITED']);
  });

  it('keeps the previous secret during the rotation grace period only', async () => {
    const key = await gw.issue();
    const next = generateKey('kw', 'live');
    const nextHash = hashKey(TEST_PEPPER, next);
    const graceEnds = new Date(Date.now() + 400).toISOString();
    await gw.apply(key.events.rotated(2, nextHash, graceEnds, key.keyHash));
    expect((await gw.verify(next)).code).toBe('VALID');
    expect((await gw.verify(key.secret)).code).toBe('VALID');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await gw.verify(key.secret)).code).toMatch(/EXPIRED|NOT_FOUND/);
    expect((await gw.verify(next)).code).toBe('VALID');
  });

  it('accepts a session token like its key, and ends it with the key', async () => {
    const key = await gw.issue();
    const token = await gw.sessions.issue(
      { keyId: key.keyId, keyHash: key.keyHash },
      new Date(Date.now() + 60_000),
    );
    expect(await gw.verify(token)).toMatchObject({ code: 'VALID', keyId: key.keyId });
    expect((await gw.verify(`${token.slice(0, -2)}xx`)).code).toBe('MALFORMED');
    const stale = await gw.sessions.issue(
      { keyId: key.keyId, keyHash: key.keyHash },
      new Date(Date.now() - 1_000),
    );
    expect((await gw.verify(stale)).code).toBe('EXPIRED');
    await gw.apply(key.events.revoked(2));
    expect((await gw.verify(token)).code).toBe('REVOKED');
  });

  it('caps a member-owned key by its owner role, whichever of the two events comes first', async () => {
    const member = `mem_${Math.random().toString(36).slice(2)}`;
    const scopes = ['keyway:keys:write', 'keyway:audit:read', 'orders:read'];
    const key = await gw.issue({ ownerId: member, scopes });
    // The member is not projected yet: no management scope, the API owner's scopes still work.
    expect((await gw.verify(key.secret, { scopes: ['keyway:audit:read'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    expect((await gw.verify(key.secret, { scopes: ['orders:read'] })).code).toBe('VALID');
    await gw.store.applyMemberChanges([{ memberId: member, sequence: 1, role: 'auditor' }]);
    expect((await gw.verify(key.secret, { scopes: ['keyway:audit:read'] })).code).toBe('VALID');
    expect((await gw.verify(key.secret, { scopes: ['keyway:keys:write'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    expect((await gw.verify(key.secret)).scopes).toEqual(['keyway:audit:read', 'orders:read']);
    await gw.store.applyMemberChanges([{ memberId: member, sequence: 2, role: 'member' }]);
    await gw.store.applyMemberChanges([{ memberId: member, sequence: 1, role: 'owner' }]); // stale
    expect((await gw.verify(key.secret, { scopes: ['keyway:keys:write'] })).code).toBe('VALID');
    // A key issued after the member's role is known is capped at once.
    const later = await gw.issue({ ownerId: member, scopes });
    expect((await gw.verify(later.secret, { scopes: ['keyway:audit:read'] })).code).toBe(
      'INSUFFICIENT_SCOPE',
    );
    await gw.store.applyMemberChanges([{ memberId: member, sequence: 3, role: 'removed' }]);
    expect((await gw.verify(key.secret)).code).toBe('REVOKED');
    expect((await gw.verify(later.secret)).code).toBe('REVOKED');
  });

  it('applies each (subject, sequence) once and reports a missing history', async () => {
    const key = await gw.issue();
    expect(await gw.apply(key.events.updated(2, { scopes: ['a:b'] }))).toEqual(['applied']);
    expect(await gw.apply(key.events.updated(2, { scopes: ['c:d'] }), key.events.issued())).toEqual(
      ['duplicate', 'duplicate'],
    );
    expect(await gw.apply(key.events.updated(4, { name: 'gap' }))).toEqual(['gap']);
    expect((await gw.verify(key.secret, { scopes: ['a:b'] })).code).toBe('VALID');
    const orphan = (await import('../projection/key-events.fixture')).keyEvents();
    expect(await gw.apply(orphan.revoked(2))).toEqual(['missing']);
  });

  it('admits exactly the limit under 1,000 concurrent checks from two connections', async () => {
    const other = new Redis(process.env['REDIS_URL'] ?? '', { enableAutoPipelining: true });
    try {
      const second = verificationOn(other, { GATEWAY_REDIS_TIMEOUT_MS: '5000' });
      await other.ping(); // ready before the burst: verification does not queue while connecting
      const { secret } = await gw.issue({
        rateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
      });
      const results = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => (i % 2 === 0 ? gw : second).verify(secret)),
      );
      expect(results.filter((r) => r.code === 'VALID')).toHaveLength(100);
      expect(results.filter((r) => r.code === 'RATE_LIMITED')).toHaveLength(900);
    } finally {
      other.disconnect();
    }
  });

  it('keeps the memory of a huge limit bounded (at most 61 buckets)', async () => {
    const { secret, keyId } = await gw.issue({
      rateLimits: [{ name: 'default', limit: 1_000_000, window: '1d', windowMs: 86_400_000 }],
    });
    await Promise.all(Array.from({ length: 300 }, () => gw.verify(secret)));
    expect(await redis.hlen(redisKeys.rateLimit(keyId, 'default'))).toBeLessThanOrEqual(62);
    expect((await gw.verify(secret)).ratelimit?.remaining).toBe(1_000_000 - 301);
  });

  it('stores no secret: the key appears in no Redis key or value', async () => {
    const { secret, keyId } = await gw.issue({ credits: { remaining: 3, refill: null } });
    await gw.verify(secret);
    const keys = [redisKeys.record(keyId), redisKeys.rateLimit(keyId, 'default')];
    for (const key of keys) {
      expect(key).not.toContain(secret);
      expect(JSON.stringify(await redis.hgetall(key))).not.toContain(secret.slice(8));
    }
  });
});

describe('verification when Redis stops answering (own Redis)', () => {
  it('answers 503 once Redis has been silent for the timeout, and waits for a busy one', async () => {
    const { startThrowawayRedis } = await import('@keyway/platform-testing');
    const server = await startThrowawayRedis();
    const redis = new Redis(server.url, { enableAutoPipelining: true });
    const blocker = new Redis(server.url);
    try {
      await Promise.all([redis.ping(), blocker.ping()]);
      const gw = verificationOn(redis, { GATEWAY_REDIS_TIMEOUT_MS: '200' });
      const { secret } = await gw.issue();
      expect((await gw.verify(secret)).code).toBe('VALID');
      // A script that keeps Redis busy for a second: connected, but silent to everyone else.
      const busy = blocker.eval(
        "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] while true do t = redis.call('TIME') if t[1] * 1000000 + t[2] - s > 1000000 then return 1 end end",
        0,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      const started = Date.now();
      await expect(gw.verify(secret)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(Date.now() - started).toBeLessThan(600);
      await busy;
      expect((await gw.verify(secret)).code).toBe('VALID');
    } finally {
      redis.disconnect();
      blocker.disconnect();
      await server.stop();
    }
  });
});
