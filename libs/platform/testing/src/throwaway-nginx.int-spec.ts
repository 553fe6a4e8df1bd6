import { rawRequest } from './raw-request';
import { readFileSync } from 'node:fs';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';
import { isListening } from './tcp-probe';
import {
  renderForwardAuthConfig,
  startThrowawayNginx,
  type ThrowawayNginx,
} from './throwaway-nginx';

// The auth stub stands in for the gateway's /v1/authorize only to test the nginx wiring; the
// gateway's own e2e test puts the real gateway behind this nginx.
const IDENTITY = {
  'x-keyway-key-id': 'key_stub',
  'x-keyway-workspace-id': 'ws_stub',
  'x-keyway-environment': 'live',
  'x-keyway-scopes': 'things:read things:write',
};

interface SeenRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
}

interface Stub {
  readonly server: Server;
  readonly url: string;
  readonly seen: SeenRequest[];
  connections: number;
}

async function startStub(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Stub> {
  const server = createServer();
  const stub: Stub = { server, url: '', seen: [], connections: 0 };
  server.on('connection', () => {
    stub.connections += 1;
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    req.on('end', () => {
      stub.seen.push({ method: req.method, url: req.url, headers: req.headers, bodyBytes });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, { url: `http://127.0.0.1:${port}` });
}

function deny(res: ServerResponse, status: number, code: string, headers = {}): void {
  const body = JSON.stringify({ code, message: 'denied by the stub', requestId: 'stub' });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-keyway-error-code': code,
  });
  res.end(body);
}

function authorize(req: IncomingMessage, res: ServerResponse): void {
  switch (req.headers['x-api-key']) {
    case 'valid':
      // As the gateway: identity headers and no body, so nginx may keep the connection.
      res.writeHead(200, { ...IDENTITY, 'content-length': 0 });
      res.end();
      return;
    case 'out-of-scope':
      deny(res, 403, 'FORBIDDEN');
      return;
    case 'limited':
      deny(res, 429, 'RATE_LIMITED', {
        'retry-after': '17',
        'ratelimit-policy': '"default";q=100;w=60',
        ratelimit: '"default";r=0;t=17',
      });
      return;
    case 'odd-code':
      deny(res, 401, 'not "json" safe');
      return;
    case undefined:
    default:
      deny(res, 401, 'UNAUTHENTICATED');
  }
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

describe('startThrowawayNginx (forward auth)', () => {
  let auth: Stub;
  let api: Stub;
  let nginx: ThrowawayNginx;
  const authUrl = (): string => `${auth.url}/v1/authorize`;

  beforeAll(async () => {
    auth = await startStub(authorize);
    api = await startStub(echo);
    nginx = await startThrowawayNginx({ authUrl: authUrl(), upstreamUrl: api.url });
  });
  afterAll(async () => {
    await nginx?.stop();
    for (const stub of [auth, api]) {
      stub?.server.closeAllConnections();
      await new Promise((resolve) => stub?.server.close(resolve));
    }
  });

  it('passes a valid request to the API with the identity headers, never the client’s own', async () => {
    const reply = await rawRequest(`${nginx.url}/things/42?expand=owner`, {
      method: 'POST',
      headers: {
        'x-api-key': 'valid',
        'content-type': 'application/json',
        'x-keyway-key-id': 'key_spoofed',
        'x-keyway-scopes': '*',
        'x-forwarded-uri': '/public',
      },
      body: JSON.stringify({ large: 'x'.repeat(100_000) }),
    });

    expect(reply.status).toBe(200);
    const upstream = JSON.parse(reply.body) as {
      method: string;
      url: string;
      headers: IncomingHttpHeaders;
    };
    expect(upstream).toMatchObject({ method: 'POST', url: '/things/42?expand=owner' });
    expect(upstream.headers).toMatchObject(IDENTITY);
    expect(api.seen.at(-1)?.bodyBytes).toBeGreaterThan(100_000);

    const check = auth.seen.at(-1);
    expect(check).toMatchObject({ url: '/v1/authorize', bodyBytes: 0 });
    expect(check?.headers).toMatchObject({
      'x-api-key': 'valid',
      'x-original-method': 'POST',
      'x-original-uri': '/things/42?expand=owner',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': '127.0.0.1',
    });
    expect(check?.headers['content-length']).toBeUndefined();
    expect(check?.headers['x-forwarded-uri']).toBeUndefined();
    expect(check?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(upstream.headers['x-request-id']).toBe(check?.headers['x-request-id']);
  });

  it.each([
    ['a missing key', undefined, 401, 'UNAUTHENTICATED'],
    ['a key out of scope', 'out-of-scope', 403, 'FORBIDDEN'],
    ['a rate-limited key', 'limited', 429, 'RATE_LIMITED'],
    [
      'with a default code when the gateway’s is unfit for JSON',
      'odd-code',
      401,
      'UNAUTHENTICATED',
    ],
  ])('denies %s with its status and a JSON error body', async (_, key, status, code) => {
    const apiCalls = api.seen.length;
    const reply = await rawRequest(`${nginx.url}/things`, {
      headers: key === undefined ? {} : { 'x-api-key': key },
    });

    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json');
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(body).toEqual({
      code,
      message: expect.any(String),
      requestId: auth.seen.at(-1)?.headers['x-request-id'],
    });
    expect(api.seen).toHaveLength(apiCalls);
  });

  it('passes Retry-After and the RateLimit fields on a 429', async () => {
    const reply = await rawRequest(`${nginx.url}/things`, { headers: { 'x-api-key': 'limited' } });

    expect(reply.status).toBe(429);
    expect(reply.headers).toMatchObject({
      'retry-after': '17',
      'ratelimit-policy': '"default";q=100;w=60',
      ratelimit: '"default";r=0;t=17',
    });
    expect(nginx.logs().error).toContain('auth request unexpected status: 429');
  });

  it('keeps its connections to the auth service alive', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = auth.connections;
    try {
      for (let i = 0; i < 200; i += 1) {
        const reply = await rawRequest(`${nginx.url}/things/${i}`, {
          agent,
          headers: { 'x-api-key': 'valid' },
        });
        expect(reply.status).toBe(200);
      }
    } finally {
      agent.destroy();
    }
    const opened = auth.connections - before;
    // Denials carry a body, which nginx does not read: each one costs the connection it used.
    const beforeDenials = auth.connections;
    for (let i = 0; i < 20; i += 1) {
      expect(
        (await rawRequest(`${nginx.url}/`, { headers: { 'x-api-key': 'limited' } })).status,
      ).toBe(429);
    }
    process.stdout.write(
      `nginx → auth connections: ${opened} for 200 allowed requests, ` +
        `${auth.connections - beforeDenials} for 20 denied ones\n`,
    );
    expect(opened).toBeLessThanOrEqual(4);
  });

  it('fails closed with 503 when the auth service is unreachable, and reloads back', async () => {
    const nowhere = await freePort();
    await nginx.reload({ authUrl: `http://127.0.0.1:${nowhere}/v1/authorize` });

    const reply = await rawRequest(`${nginx.url}/things`, { headers: { 'x-api-key': 'valid' } });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'UNAVAILABLE' });

    await nginx.reload({ authUrl: authUrl() });
    expect(
      (await rawRequest(`${nginx.url}/things`, { headers: { 'x-api-key': 'valid' } })).status,
    ).toBe(200);
  });

  it('is the config docs/api/gateway-ingress.md shows', () => {
    const docs = readFileSync(join(repoRoot(), 'docs', 'api', 'gateway-ingress.md'), 'utf8');
    const shown = renderForwardAuthConfig({
      listen: '80',
      gateway: 'keyway-gateway:8080',
      authPath: '/v1/authorize',
      api: 'api:3000',
    });
    expect(docs).toContain(shown);
  });

  it('says how to get nginx when it is missing', async () => {
    await expect(
      startThrowawayNginx({
        command: '/nonexistent/nginx',
        authUrl: authUrl(),
        upstreamUrl: api.url,
      }),
    ).rejects.toThrow(/exited early .*tools\/nginx\/ensure\.sh/);
  });

  it('stops, leaving nothing listening', async () => {
    const { port } = nginx;
    await nginx.stop();
    expect(await isListening('127.0.0.1', port)).toBe(false);
  });
});
