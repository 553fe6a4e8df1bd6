import { Redis } from 'ioredis';
import { createKafka, EventPublisher } from '@keyway/platform-kafka';
import { InvalidKeyLimiter } from '../abuse/invalid-key-limiter';
import { RoutePolicySource } from '../forward-auth/route-policy.source';
import { identityEvents } from '../projection/identity-events.fixture';
import { UsageRecorder } from '../usage/usage-recorder';
import { verificationOn } from '../verification/verification.fixture';
import { type IncomingCall, VerificationHandlers } from './verification-handlers';

// What forward auth and sessions answer for a key owned by an identity: the effective scopes in
// X-Keyway-Scopes, the identity's shared window in the RateLimit headers and Retry-After. Real
// Redis; the route policy is the default one (any valid key, its `default` limit charged).
describe('answers for keys owned by identities', () => {
  let redis: Redis;
  let gw: ReturnType<typeof verificationOn>;
  let handlers: VerificationHandlers;

  beforeAll(() => {
    redis = new Redis(process.env['REDIS_URL'] ?? '', { enableAutoPipelining: true });
    gw = verificationOn(redis, { GATEWAY_REDIS_TIMEOUT_MS: '5000' });
    // Usage is only buffered here (no flush timer): Kafka is never contacted.
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'identity-answers' });
    handlers = new VerificationHandlers(
      gw.service,
      gw.sessions,
      new RoutePolicySource(gw.config),
      new InvalidKeyLimiter(gw.config),
      new UsageRecorder(new EventPublisher(kafka), gw.config),
      gw.config,
    );
  });
  afterAll(() => redis?.disconnect());

  const call = (credential: string): IncomingCall => ({
    method: 'GET',
    url: '/v1/authorize',
    headers: {
      authorization: `Bearer ${credential}`,
      'x-forwarded-method': 'GET',
      'x-forwarded-uri': '/orders',
    },
    ip: '10.1.2.3',
    requestId: 'req-identity',
  });

  it('forwards the effective scopes and the binding shared window, then 429 with Retry-After', async () => {
    const owner = identityEvents();
    await gw.applyWorkspace(
      owner.created({
        scopes: ['orders:read', 'reports:*'],
        rateLimits: [{ name: 'default', limit: 2, window: '60s', windowMs: 60_000 }],
      }),
    );
    const key = await gw.issue({
      ownerId: owner.externalId,
      scopes: ['orders:read', 'users:read'],
      rateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
    });
    const first = await handlers.authorize(call(key.secret));
    expect(first).toMatchObject({
      status: 200,
      headers: {
        'x-keyway-key-id': key.keyId,
        'x-keyway-scopes': 'orders:read',
        'ratelimit-policy': '"default";q=2;w=60',
        'ratelimit-limit': '2',
        'ratelimit-remaining': '1',
      },
    });

    const session = await handlers.createSession(call(key.secret), { key: key.secret });
    expect(session.status).toBe(201);
    const token = (session.body as { token: string }).token;
    expect((await handlers.authorize(call(token))).status).toBe(200);

    const refused = await handlers.authorize(call(key.secret));
    expect(refused).toMatchObject({
      status: 429,
      headers: { 'ratelimit-limit': '2', 'ratelimit-remaining': '0' },
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(
      Number(refused.headers['ratelimit-reset']),
    );
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Deleted: the key and its session are refused at once.
    await gw.applyWorkspace(owner.deleted(2));
    expect((await handlers.authorize(call(key.secret))).status).toBe(401);
    expect(await handlers.authorize(call(token))).toMatchObject({
      status: 401,
      headers: { 'x-keyway-error-code': 'REVOKED' },
    });
  });
});
