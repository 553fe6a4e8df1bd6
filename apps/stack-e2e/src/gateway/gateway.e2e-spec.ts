import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { TOPICS, UsageAggregatedV1, type SessionResponse } from '@keyway/contracts';
import {
  expectEventually,
  repoRoot,
  startThrowawayRedis,
  TopicReader,
} from '@keyway/platform-testing';
import { type Api, type KeyBody } from '../support/api';
import { type BootstrapResult, Stack } from '../support/stack';
import { GatewayClient, issueKey } from './gateway-client';

const POLICY = `
routes:
  - path: /public
    public: true
  - path: /orders{/*rest}
    methods: [GET]
    scopes: [orders:read]
  - path: /orders{/*rest}
    methods: [POST]
    scopes: [orders:write]
    environment: live
  - path: /tight
    ratelimit: [{ name: tight }]
`;

/** identity and the gateway as processes, over Kafka and Redis, with a route policy file. */
describe('gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-policy-'));
  const policyFile = join(dir, 'routes.yaml');
  writeFileSync(policyFile, POLICY);
  const stack = new Stack(undefined, {
    GATEWAY_ROUTE_POLICY_FILE: policyFile,
    // Polling for a key not projected yet counts as trying unknown keys: not limited here.
    GATEWAY_INVALID_KEY_LIMIT: '100000',
  });
  let owner: BootstrapResult;
  let identity: Api;
  let gateway: GatewayClient;

  beforeAll(async () => {
    await stack.start('identity', 'gateway');
    owner = stack.bootstrap();
    identity = stack.identityApi(owner.key);
    gateway = new GatewayClient(stack.service('gateway').url);
  });

  afterAll(() => stack.stop());

  async function validKey(body: Record<string, unknown> = {}): Promise<KeyBody> {
    const key = await issueKey(identity, body);
    // Polled without spending anything: cost 0 only checks.
    const peek = { key: key.key, ratelimit: { cost: 0 }, credits: { cost: 0 } };
    await expectEventually(async () =>
      expect((await gateway.verify(peek)).json.code).toBe('VALID'),
    );
    return key;
  }

  it('verifies a key issued at identity and rejects it a fraction of a second after its revoke returns', async () => {
    const key = await validKey({ scopes: ['orders:read'], metadata: { plan: 'pro' } });
    const verdict = await gateway.verify({ key: key.key, scopes: ['orders:read'] });
    expect(verdict.json).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: key.id,
      workspaceId: owner.workspaceId,
      environment: 'live',
      scopes: ['orders:read'],
      metadata: { plan: 'pro' },
      ratelimit: { name: 'default', limit: 100 },
    });
    expect(verdict.headers.get('ratelimit-policy')).toBe('"default";q=100;w=60');
    const revoked = await identity.post(`/v1/keys/${key.id}/revoke`, { reason: 'e2e' });
    expect(revoked.status).toBe(200);
    const returnedAt = performance.now();
    await expectEventually(
      async () => expect((await gateway.verify({ key: key.key })).json.code).toBe('REVOKED'),
      {
        timeoutMs: 5_000,
        intervalMs: 2,
      },
    );
    expect(performance.now() - returnedAt).toBeLessThan(1_000);
  });

  it('answers forward auth for each way of passing a key, with identity headers and no body', async () => {
    const key = await validKey({ scopes: ['orders:read', 'orders:write'] });
    const ways: Array<Record<string, string>> = [
      { authorization: `Bearer ${key.key}` },
      { authorization: key.key },
      { 'x-api-key': key.key },
      { 'x-api-key': key.id, 'x-api-secret': key.key },
    ];
    for (const headers of ways) {
      const answer = await gateway.authorize({
        ...headers,
        'x-forwarded-method': 'GET',
        'x-forwarded-uri': '/orders/1?x=y',
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('');
      expect(answer.headers.get('x-keyway-key-id')).toBe(key.id);
      expect(answer.headers.get('x-keyway-workspace-id')).toBe(owner.workspaceId);
      expect(answer.headers.get('x-keyway-environment')).toBe('live');
      expect(answer.headers.get('x-keyway-scopes')).toBe('orders:read orders:write');
    }
    const wrongPair = await gateway.authorize({
      'x-forwarded-uri': '/orders',
      'x-api-key': 'key_someoneelse',
      'x-api-secret': key.key,
    });
    expect(wrongPair.status).toBe(401);
    // nginx's X-Original-* and Envoy's path suffix, with the request's own method.
    const nginx = await gateway.authorize({
      'x-api-key': key.key,
      'x-original-method': 'POST',
      'x-original-uri': '/orders',
    });
    expect(nginx.status).toBe(200);
    const envoy = await gateway.authorize(
      { 'x-api-key': key.key },
      'POST',
      '/v1/authorize/orders/7',
    );
    expect(envoy.status).toBe(200);
  });

  it('refuses with the SPEC error body: 401 without a valid key, 403 by policy, 429 over a limit', async () => {
    const reader = await validKey({
      scopes: ['orders:read'],
      rateLimits: [{ name: 'tight', limit: 2, window: '60s' }],
    });
    const as = (path: string, method = 'GET', key = reader.key) =>
      gateway.authorize({
        authorization: `Bearer ${key}`,
        'x-forwarded-method': method,
        'x-forwarded-uri': path,
      });
    const none = await gateway.authorize({ 'x-forwarded-uri': '/orders' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
    const unknown = await as('/orders', 'GET', 'kw_live_000000000000000000000000000000000000');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('x-keyway-error-code')).toMatch(/MALFORMED|NOT_FOUND/);
    const scope = await as('/orders', 'POST');
    expect(scope.status).toBe(403);
    expect(JSON.parse(scope.text)).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
    const unmatched = await as('/admin');
    expect(unmatched.status).toBe(403);
    expect(JSON.parse(unmatched.text)).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'ROUTE_NOT_ALLOWED' },
    });
    expect((await gateway.authorize({ 'x-forwarded-uri': '/public' })).status).toBe(200);
    expect((await as('/tight')).status).toBe(200);
    expect((await as('/tight')).status).toBe(200);
    const limited = await as('/tight');
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    const reset = Number(limited.headers.get('ratelimit-reset'));
    expect(retryAfter).toBeGreaterThanOrEqual(reset);
    expect(retryAfter).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/^"tight";r=0;t=\d+$/);
  });

  it('reloads the route policy when the file changes and on SIGHUP, keeping it when the new one is invalid', async () => {
    const key = await validKey({ scopes: ['reports:read'] });
    const ask = async () =>
      (await gateway.authorize({ 'x-api-key': key.key, 'x-forwarded-uri': '/reports' })).status;
    expect(await ask()).toBe(403);
    writeFileSync(policyFile, `${POLICY}\n  - path: /reports\n    scopes: [reports:read]\n`);
    await expectEventually(async () => expect(await ask()).toBe(200));
    writeFileSync(policyFile, 'routes: [{ path: no-slash }]');
    stack.service('gateway').signal('SIGHUP');
    await expectEventually(async () =>
      expect(stack.service('gateway').output()).toMatch(/route policy not reloaded \(SIGHUP\)/),
    );
    expect(await ask()).toBe(200);
    writeFileSync(policyFile, POLICY);
    stack.service('gateway').signal('SIGHUP');
    await expectEventually(async () => expect(await ask()).toBe(403));
  });

  it('exchanges a key for a session token that works like it until the key is revoked', async () => {
    const key = await validKey({ scopes: ['orders:read'] });
    const session = await gateway.api.post<SessionResponse>('/v1/sessions', {
      key: key.key,
      ttlSeconds: 600,
    });
    expect(session.status).toBe(201);
    expect(session.json).toMatchObject({ keyId: key.id, workspaceId: owner.workspaceId });
    expect(Date.parse(session.json.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expect(session.json.token).not.toContain(key.key);
    const useToken = () =>
      gateway.authorize({
        authorization: `Bearer ${session.json.token}`,
        'x-forwarded-uri': '/orders',
      });
    expect((await useToken()).status).toBe(200);
    expect((await gateway.verify({ key: session.json.token })).json).toMatchObject({
      code: 'VALID',
      keyId: key.id,
    });
    expect(
      (await gateway.api.post('/v1/sessions', { key: key.key, ttlSeconds: 7200 })).status,
    ).toBe(400);
    await identity.post(`/v1/keys/${key.id}/revoke`, {});
    await expectEventually(async () => expect((await useToken()).status).toBe(401));
    expect((await gateway.verify({ key: session.json.token })).json.code).toBe('REVOKED');
  });

  it('admits exactly the limit when two gateway processes share it', async () => {
    const second = new GatewayClient((await stack.startReplica('gateway')).url);
    const key = await validKey({ rateLimits: [{ name: 'default', limit: 100, window: '60s' }] });
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => (i % 2 ? gateway : second).verify({ key: key.key })),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.json.code === 'VALID')).toHaveLength(100);
  });

  it('publishes usage events per key, aggregated, with no secret', async () => {
    const reader = await new TopicReader(TOPICS.usage).start();
    try {
      const key = await validKey();
      for (let i = 0; i < 5; i++) await gateway.verify({ key: key.key });
      const message = await reader.waitFor(
        (m) => (m.json as { data?: { keyId?: string } })?.data?.keyId === key.id,
        10_000,
      );
      const event = UsageAggregatedV1.parse(message.json);
      expect(event.data.counts.VALID).toBeGreaterThanOrEqual(1);
      expect(event.data.clientAddresses.length).toBeGreaterThan(0);
      expect(message.value).not.toContain(key.key);
    } finally {
      await reader.stop();
    }
  });

  it('rebuilds from the topic into an empty Redis exactly what the live projection holds', async () => {
    const keys = [
      await validKey({ scopes: ['a:b'] }),
      await validKey({ expires: '30d', metadata: { n: 2 } }),
    ];
    await identity.post(`/v1/keys/${keys[0]?.id}/revoke`, {});
    await expectEventually(async () =>
      expect((await gateway.verify({ key: keys[0]?.key ?? '' })).json.code).toBe('REVOKED'),
    );
    const empty = await startThrowawayRedis();
    const rebuilt = new Redis(empty.url);
    try {
      const result = spawnSync(
        process.execPath,
        [
          join(repoRoot(), 'dist/apps/cli/src/main.js'),
          'projections',
          'rebuild',
          '--gateway',
          '--json',
        ],
        {
          env: { ...process.env, ...stack.env('gateway'), REDIS_URL: empty.url },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        keys: expect.any(Number),
        keysPerSecond: expect.any(Number),
      });
      for (const key of keys) {
        const record = `keyway:key:{${key.id}}`;
        expect(await rebuilt.hgetall(record)).toEqual(await stack.redis.hgetall(record));
      }
    } finally {
      rebuilt.disconnect();
      await empty.stop();
    }
  });

  it.each([
    ['not JSON', 'POST', '/v1/verify', 'application/json', '{"key": ', 400, 'VALIDATION_ERROR'],
    ['an empty body', 'POST', '/v1/verify', 'application/json', '', 400, 'VALIDATION_ERROR'],
    ['a JSON array', 'POST', '/v1/verify', 'application/json', '[]', 400, 'VALIDATION_ERROR'],
    [
      'an unknown field',
      'POST',
      '/v1/verify',
      'application/json',
      '{"key":"x","admin":1}',
      400,
      'VALIDATION_ERROR',
    ],
    [
      'a negative cost',
      'POST',
      '/v1/verify',
      'application/json',
      '{"key":"x","ratelimit":{"cost":-1}}',
      400,
      'VALIDATION_ERROR',
    ],
    [
      'text/plain',
      'POST',
      '/v1/verify',
      'text/plain',
      '{"key":"x"}',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a form',
      'POST',
      '/v1/sessions',
      'application/x-www-form-urlencoded',
      'key=x',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'over 64 KiB',
      'POST',
      '/v1/verify',
      'application/json',
      JSON.stringify({ key: 'x'.repeat(70_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['GET on verify', 'GET', '/v1/verify', undefined, undefined, 405, 'METHOD_NOT_ALLOWED'],
    [
      'an unknown route',
      'GET',
      '/v1/nope?access_token=kw_live_secret',
      undefined,
      undefined,
      404,
      'NOT_FOUND',
    ],
  ])(
    'answers %s with the SPEC error body, never a 500',
    async (_what, method, path, type, body, status, code) => {
      const response = await fetch(`${gateway.baseUrl}${path}`, {
        method,
        ...(type ? { headers: { 'content-type': type } } : {}),
        ...(body === undefined ? {} : { body }),
      });
      expect(response.status).toBe(status);
      const json = (await response.json()) as { code: string; requestId: string; message: string };
      expect(json).toMatchObject({ code, requestId: expect.any(String) });
      expect(json.message).not.toContain('kw_live_secret');
    },
  );

  it('serves its OpenAPI document', async () => {
    const doc = await gateway.api.get<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/v1/verify', '/v1/authorize', '/v1/sessions']),
    );
  });

  it('never logs a key or session token', () => {
    const output = stack.service('gateway').output();
    expect(output).not.toMatch(/kw_(live|test)_[0-9A-Za-z]{30}/);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./);
  });

  it('rate limits invalid keys from one address without touching Redis', async () => {
    const strict = new GatewayClient(
      (await stack.startReplica('gateway', { GATEWAY_INVALID_KEY_LIMIT: '10' })).url,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await strict.verify({ key: `nope-${i}` })).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const refused = await strict.verify({ key: 'nope' });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ code: 'TOO_MANY_INVALID_KEYS' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const forward = await strict.authorize({ 'x-api-key': 'nope', 'x-forwarded-uri': '/orders' });
    expect(forward.status).toBe(429);
  });
});
