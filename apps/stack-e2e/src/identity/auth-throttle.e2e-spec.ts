import {
  type BootstrapResult,
  type CreateKeyRequest,
  type ErrorBody,
  type KeyWithSecret,
} from '@keyway/contracts';
import { generateKey } from '@keyway/key-material';
import { Stack } from '../support/stack';

const LIMIT = 5;

/**
 * Issue 8, point 5: failed authentications are throttled per client address. Before, identity
 * answered hundreds of invalid keys a second from one address, every one a 401 after a lookup.
 */
describe('identity: repeated invalid keys from one client address', () => {
  // TRUST_PROXY: the tests speak for many clients through X-Forwarded-For.
  const stack = new Stack(undefined, { TRUST_PROXY: 'true', INVALID_KEY_LIMIT: String(LIMIT) });
  let owner: BootstrapResult;
  let revoked: KeyWithSecret;
  let unused: KeyWithSecret;

  const call = (from: string, key?: string) =>
    fetch(`${stack.service('identity').url}/v1/keys?limit=1`, {
      headers: {
        'x-forwarded-for': from,
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      },
    });
  const statuses = async (from: string, keys: readonly (string | undefined)[]) => {
    const result: number[] = [];
    for (const key of keys) result.push((await call(from, key)).status);
    return result;
  };
  /** Malformed, unknown (well-formed), revoked: every kind of failure counts. */
  const invalidKeys = () => [
    'not-a-key',
    generateKey('kw', 'live'),
    revoked.key,
    generateKey('kw', 'test'),
    'kw_live_short',
  ];

  beforeAll(async () => {
    await stack.start('identity');
    owner = stack.bootstrap();
    const api = stack.identityApi(owner.key);
    const create = async (name: string) => {
      const created = await api.post<KeyWithSecret>('/v1/keys', {
        name,
        scopes: ['keyway:keys:read'],
        ownerId: owner.memberId,
      } satisfies CreateKeyRequest);
      expect(created.status).toBe(201);
      return created.json;
    };
    revoked = await create('revoked');
    expect((await api.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
    unused = await create('never-used-yet');
  });

  afterAll(() => stack.stop());

  it(`answers 429 with Retry-After from the ${LIMIT + 1}th failure on, in the SPEC's shape`, async () => {
    expect(await statuses('198.51.100.1', invalidKeys())).toEqual(Array(LIMIT).fill(401));
    const refused = await call('198.51.100.1', generateKey('kw', 'live'));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual<ErrorBody>({
      code: 'TOO_MANY_INVALID_KEYS',
      message: expect.any(String),
      details: { retryAfterSeconds: retryAfter },
      requestId: refused.headers.get('x-request-id') ?? 'missing',
    });
  });

  it('leaves other addresses alone: their invalid keys get 401, their valid keys work', async () => {
    expect(await statuses('198.51.100.1', invalidKeys())).toEqual(Array(LIMIT).fill(429));
    expect((await call('198.51.100.2', 'not-a-key')).status).toBe(401);
    expect((await call('198.51.100.2', owner.key)).status).toBe(200);
  });

  it('refuses a valid key this replica has not seen from the throttled address, not one it has', async () => {
    // The owner's key authenticated above (from another address): it is known, so a client
    // guessing behind a shared proxy address does not lock its neighbours out.
    expect((await call('198.51.100.1', owner.key)).status).toBe(200);
    // A key that never authenticated here is refused without being looked up…
    expect((await call('198.51.100.1', unused.key)).status).toBe(429);
    // … and once it has (from elsewhere), it passes there too.
    expect((await call('198.51.100.3', unused.key)).status).toBe(200);
    expect((await call('198.51.100.1', unused.key)).status).toBe(200);
  });

  it('counts an IPv6 /64 as one client', async () => {
    const failures = invalidKeys().map((key, i) => call(`2001:db8:7:7::${i + 1}`, key));
    expect((await Promise.all(failures)).map((response) => response.status)).toEqual(
      Array(LIMIT).fill(401),
    );
    expect((await call('2001:db8:7:7:ffff::1', 'not-a-key')).status).toBe(429);
    expect((await call('2001:db8:7:8::1', 'not-a-key')).status).toBe(401);
  });

  it('believes only the address its proxy reports: entries a client adds before it change nothing', async () => {
    // A proxy appends the address it saw; whatever the client sent comes first.
    const spoofed = (i: number) => `10.${i}.0.1, 192.0.2.${i + 1}, 203.0.113.77`;
    const failures: number[] = [];
    for (let i = 0; i < LIMIT; i++) failures.push((await call(spoofed(i), 'not-a-key')).status);
    expect(failures).toEqual(Array(LIMIT).fill(401));
    expect((await call(spoofed(LIMIT), 'not-a-key')).status).toBe(429);
    expect((await call('203.0.113.77', 'not-a-key')).status).toBe(429);
  });

  it('does not count requests without any key', async () => {
    expect(await statuses('198.51.100.4', Array(LIMIT * 2).fill(undefined))).toEqual(
      Array(LIMIT * 2).fill(401),
    );
    expect((await call('198.51.100.4', 'not-a-key')).status).toBe(401);
  });
});
