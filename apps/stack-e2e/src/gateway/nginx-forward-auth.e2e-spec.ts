import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ErrorBody, type RateLimit, type VerifyKeyRequest } from '@keyway/contracts';
import { generateKey } from '@keyway/key-material';
import {
  expectEventually,
  rawRequest,
  startThrowawayNginx,
  type RawReply,
  type ThrowawayNginx,
} from '@keyway/platform-testing';
import { type Api, type KeyBody } from '../support/api';
import { type BootstrapResult, Stack } from '../support/stack';

/** identity's `POST /v1/keys` body (CreateKeyRequest there; an e2e suite imports no app). */
interface CreateKeyBody {
  name: string;
  environment?: 'live' | 'test';
  scopes?: string[];
  rateLimits?: Array<Omit<RateLimit, 'windowMs'>>;
}

// The gateway's route policy (docs/api/gateway.md "Route policy"): first match wins.
const POLICY = `
routes:
  - path: /public{/*rest}
    public: true
  - path: /orders{/*rest}
    methods: [GET, HEAD]
    scopes: ['orders:read']
  - path: /orders{/*rest}
    methods: [POST]
    scopes: ['orders:write']
  - path: /exports{/*rest}
    scopes: ['orders:read']
    ratelimit: [{ name: exports }]
unmatched: deny
`;

const IDENTITY_HEADERS = [
  'x-keyway-key-id',
  'x-keyway-workspace-id',
  'x-keyway-environment',
  'x-keyway-scopes',
] as const;

/** What a client could send to impersonate a key, or to be judged on another path. */
const FORGED = {
  'x-keyway-key-id': 'key_forged',
  'x-keyway-workspace-id': 'ws_forged',
  'x-keyway-environment': 'live',
  'x-keyway-scopes': '*',
  'x-forwarded-uri': '/public',
  'x-forwarded-method': 'GET',
  'x-original-uri': '/public',
  'x-original-method': 'GET',
};

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/** The API behind nginx: answers 200 with what it received. */
async function startEchoApi(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const received = { method: req.method, url: req.url, headers: req.headers };
      seen.push(received);
      const body = JSON.stringify(received);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

/** One HTTP request with exactly these headers (fetch would add and refuse some). */

/** The other end's port of every TCP socket (any state, TIME-WAIT included) on `port`. */
function peersOf(port: number): Set<string> {
  const lines = execFileSync('ss', ['-Htan'], { encoding: 'utf8' }).split('\n');
  const peers = new Set<string>();
  for (const line of lines) {
    const [state, , , local, peer] = line.trim().split(/\s+/);
    if (!state || state === 'LISTEN' || !local || !peer) continue;
    if (local.endsWith(`:${port}`)) peers.add(`${peer}`);
    else if (peer.endsWith(`:${port}`)) peers.add(`${local}`);
  }
  return peers;
}

describe('nginx auth_request in front of an API, with the real gateway as its auth service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-route-policy-'));
  const policyFile = join(dir, 'routes.yaml');
  const stack = new Stack(undefined, { GATEWAY_ROUTE_POLICY_FILE: policyFile });
  let owner: BootstrapResult;
  let identity: Api;
  let api: Awaited<ReturnType<typeof startEchoApi>>;
  let nginx: ThrowawayNginx;

  beforeAll(async () => {
    writeFileSync(policyFile, POLICY);
    api = await startEchoApi();
    await stack.start('identity', 'gateway');
    owner = stack.bootstrap();
    identity = stack.identityApi(owner.key);
    nginx = await startThrowawayNginx({
      authUrl: `${stack.service('gateway').url}/v1/authorize`,
      upstreamUrl: api.url,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    api?.server.closeAllConnections();
    await new Promise((resolve) => api?.server.close(resolve));
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Issues a key through identity and waits until the gateway knows it (checked for free). */
  const issue = async (body: Omit<CreateKeyBody, 'name'>): Promise<KeyBody> => {
    const created = await identity.post<KeyBody>('/v1/keys', {
      name: 'nginx',
      ...body,
    } satisfies CreateKeyBody);
    expect(created.status).toBe(201);
    await expectEventually(async () => {
      const check = await fetch(`${stack.service('gateway').url}/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          key: created.json.key,
          ratelimit: { cost: 0 },
          credits: { cost: 0 },
          // Its own address: these polls must not count against nginx's (127.0.0.1).
          clientAddress: '192.0.2.7',
        } satisfies VerifyKeyRequest),
      });
      expect(await check.json()).toMatchObject({ code: 'VALID' });
    });
    return created.json;
  };

  const through = (
    path: string,
    key?: string,
    options: { method?: string; headers?: Record<string, string> } = {},
  ) =>
    rawRequest(`${nginx.url}${path}`, {
      ...options,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...options.headers,
      },
    });

  /** The gateway's own answer to the check nginx makes, asked directly. */
  const gatewaySays = (path: string, key?: string, method = 'GET') =>
    rawRequest(`${stack.service('gateway').url}/v1/authorize`, {
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        'x-original-method': method,
        'x-original-uri': path,
      },
    });

  /** A denial as the client sees it through nginx: status, the gateway's code, no API call. */
  const expectDenied = async (reply: RawReply, status: number, code: string, apiCalls: number) => {
    expect({ status: reply.status, type: reply.headers['content-type'] }).toEqual({
      status,
      type: 'application/json',
    });
    const body = JSON.parse(reply.body) as ErrorBody;
    expect(body).toEqual({ code, message: expect.any(String), requestId: expect.any(String) });
    expect(api.seen).toHaveLength(apiCalls);
  };

  describe('with a key that may read orders', () => {
    let reader: KeyBody;
    beforeAll(async () => {
      reader = await issue({
        scopes: ['orders:read'],
        rateLimits: [
          { name: 'default', limit: 1_000, window: '60s' },
          { name: 'exports', limit: 2, window: '60s' },
        ],
      });
    });

    it('passes the request to the API with the key’s identity, never the client’s own', async () => {
      const reply = await through('/orders/42?expand=lines', reader.key, { headers: FORGED });
      expect(reply.status).toBe(200);
      const upstream = JSON.parse(reply.body) as Seen;
      expect(upstream).toMatchObject({ method: 'GET', url: '/orders/42?expand=lines' });
      expect(upstream.headers).toMatchObject({
        'x-keyway-key-id': reader.id,
        'x-keyway-workspace-id': owner.workspaceId,
        'x-keyway-environment': 'live',
        'x-keyway-scopes': 'orders:read',
      });
      // The limit charged reaches the client too.
      expect(reply.headers).toMatchObject({
        'ratelimit-limit': '1000',
        'ratelimit-remaining': '999',
        'ratelimit-policy': '"default";q=1000;w=60',
      });
      expect(reply.headers['retry-after']).toBeUndefined();
    });

    it('accepts the key as X-Api-Key, and as the pair X-Api-Key (id) + X-Api-Secret', async () => {
      const single = await through('/orders', undefined, { headers: { 'x-api-key': reader.key } });
      expect(single.status).toBe(200);
      const pair = await through('/orders', undefined, {
        headers: { 'x-api-key': reader.id, 'x-api-secret': reader.key },
      });
      expect(pair.status).toBe(200);
      expect((JSON.parse(pair.body) as Seen).headers['x-keyway-key-id']).toBe(reader.id);
    });

    it('denies a method the key lacks the scope for (403 INSUFFICIENT_SCOPE)', async () => {
      const calls = api.seen.length;
      const reply = await through('/orders', reader.key, { method: 'POST' });
      await expectDenied(reply, 403, 'INSUFFICIENT_SCOPE', calls);
      expect(JSON.parse((await gatewaySays('/orders', reader.key, 'POST')).body)).toMatchObject({
        code: 'INSUFFICIENT_SCOPE',
      });
    });

    it('denies a path no route allows (403 FORBIDDEN), whatever path the client claims', async () => {
      const calls = api.seen.length;
      await expectDenied(await through('/admin/users', reader.key), 403, 'FORBIDDEN', calls);
      // The gateway prefers X-Forwarded-Uri: nginx must not let the client choose it.
      await expectDenied(
        await through('/admin/users', reader.key, { headers: FORGED }),
        403,
        'FORBIDDEN',
        calls,
      );
      expect(JSON.parse((await gatewaySays('/admin/users', reader.key)).body)).toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it('answers 429 with Retry-After and the RateLimit fields once a route’s limit is spent', async () => {
      expect((await through('/exports/1', reader.key)).status).toBe(200);
      const last = await through('/exports/2', reader.key);
      expect(last.status).toBe(200);
      expect(last.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });

      const calls = api.seen.length;
      const limited = await through('/exports/3', reader.key);
      await expectDenied(limited, 429, 'RATE_LIMITED', calls);
      expect(limited.headers).toMatchObject({
        'ratelimit-policy': '"exports";q=2;w=60',
        ratelimit: expect.stringMatching(/^"exports";r=0;t=\d+$/),
        'ratelimit-limit': '2',
        'ratelimit-remaining': '0',
      });
      // No earlier than the reset, and within the 60 s window plus one of its buckets, rounded up.
      const retryAfter = Number(limited.headers['retry-after']);
      const reset = Number(limited.headers['ratelimit-reset']);
      expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, reset));
      expect(retryAfter).toBeLessThanOrEqual(62);
      // Other routes charge the key's default limit, which is not spent.
      expect((await through('/orders', reader.key)).status).toBe(200);
    });
  });

  it('serves the public route without a key, and with no identity at all', async () => {
    const reply = await through('/public/status', undefined, { headers: FORGED });
    expect(reply.status).toBe(200);
    const upstream = JSON.parse(reply.body) as Seen;
    expect(upstream.url).toBe('/public/status');
    for (const name of IDENTITY_HEADERS) expect(upstream.headers[name]).toBeUndefined();
  });

  it.each([
    ['no key', undefined, 'UNAUTHENTICATED'],
    ['a malformed key', 'not-a-key', 'MALFORMED'],
    ['a well-formed key nobody issued', generateKey('kw', 'live'), 'NOT_FOUND'],
  ])('answers 401 for %s, with the gateway’s code', async (_, key, code) => {
    const calls = api.seen.length;
    await expectDenied(await through('/orders', key, { headers: FORGED }), 401, code, calls);
    expect(JSON.parse((await gatewaySays('/orders', key)).body)).toMatchObject({ code });
  });

  it('answers 401 REVOKED soon after identity revokes the key', async () => {
    const key = await issue({ scopes: ['orders:read'] });
    expect((await through('/orders', key.key)).status).toBe(200);
    expect((await identity.post(`/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
    const revokedAt = Date.now();
    await expectEventually(
      async () => expect((await through('/orders', key.key)).status).toBe(401),
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    process.stdout.write(`revoke returned → 401 through nginx: ${Date.now() - revokedAt} ms\n`);
    const calls = api.seen.length;
    await expectDenied(await through('/orders', key.key), 401, 'REVOKED', calls);
    expect(JSON.parse((await gatewaySays('/orders', key.key)).body)).toMatchObject({
      code: 'REVOKED',
    });
  });

  it('keeps its connections to the gateway alive for allowed requests', async () => {
    const key = await issue({
      scopes: ['orders:read'],
      rateLimits: [{ name: 'default', limit: 1_000, window: '60s' }],
    });
    const gatewayPort = Number(new URL(stack.service('gateway').url).port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // Every connection opened to the gateway shows in `ss` for a minute (TIME-WAIT on the
    // side that closed it): new peers are the connections these requests cost.
    // The probe sees connections: three of our own, opened and closed, show up as three.
    const probed = peersOf(gatewayPort);
    for (let i = 0; i < 3; i += 1) {
      const own = new Agent({ keepAlive: false });
      expect(
        (await rawRequest(`${stack.service('gateway').url}/health/live`, { agent: own })).status,
      ).toBe(200);
      own.destroy();
    }
    expect([...peersOf(gatewayPort)].filter((peer) => !probed.has(peer))).toHaveLength(3);

    const before = peersOf(gatewayPort);
    try {
      for (let i = 0; i < 200; i += 1) {
        const reply = await rawRequest(`${nginx.url}/orders/${i}`, {
          agent,
          headers: { authorization: `Bearer ${key.key}` },
        });
        expect(reply.status).toBe(200);
      }
    } finally {
      agent.destroy();
    }
    const opened = [...peersOf(gatewayPort)].filter((peer) => !before.has(peer));
    process.stdout.write(
      `nginx → gateway: ${opened.length} connection(s) for 200 allowed requests\n`,
    );
    expect(opened.length).toBeLessThanOrEqual(2);
  });
});
