import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastify, type FastifyInstance } from 'fastify';
import { type VerifyKeyRequest, type VerifyKeyResponse } from '@keyway/contracts';
import {
  expectEventually,
  rawRequest,
  startThrowawayNginx,
  type ThrowawayNginx,
} from '@keyway/platform-testing';
import { type Api, type KeyBody } from '../support/api';
import { type BootstrapResult, Stack } from '../support/stack';

/**
 * Security review of the gateway (docs/security-review-gateway.md). Each test here reproduces a
 * finding; each failed before its fix and now guards against its return. The setup is the
 * documented one: nginx `auth_request`
 * (tools/nginx/forward-auth.conf.template) in front of an API, the real gateway as its auth
 * service. The API is an ordinary Fastify app with its own routes, so the tests show which
 * handler a request really reaches, not just which path the gateway judged.
 */
const POLICY = `
routes:
  - path: /public{/*rest}
    public: true
  - path: /admin{/*rest}
    scopes: ['admin:all']
  - path: /{*rest}
    scopes: ['api:use']
unmatched: deny
`;

interface Handled {
  readonly handler: 'admin' | 'public' | 'catch-all';
  readonly url: string;
}

/** The API behind nginx, routed as Fastify routes it (case-sensitive, one decoding pass). */
async function startApi(): Promise<{ app: FastifyInstance; url: string; seen: Handled[] }> {
  const seen: Handled[] = [];
  const app = fastify();
  const handle = (handler: Handled['handler']) => async (req: { url: string }) => {
    seen.push({ handler, url: req.url });
    return { handler, url: req.url };
  };
  app.get('/admin/*', handle('admin'));
  app.get('/public/*', handle('public'));
  app.get('/*', handle('catch-all'));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, seen };
}

/** One request with the path exactly as written (fetch would resolve `..` and re-encode). */

describe('gateway security review: forward auth behind nginx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-attack-policy-'));
  const policyFile = join(dir, 'routes.yaml');
  const stack = new Stack(undefined, { GATEWAY_ROUTE_POLICY_FILE: policyFile });
  let owner: BootstrapResult;
  let identity: Api;
  let api: Awaited<ReturnType<typeof startApi>>;
  let nginx: ThrowawayNginx;
  let user: KeyBody;

  const gatewayUrl = () => stack.service('gateway').url;

  /** Peeks at a key without spending anything, from its own address (not nginx's). */
  const peek = async (key: string): Promise<VerifyKeyResponse> => {
    const response = await fetch(`${gatewayUrl()}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        key,
        ratelimit: { cost: 0 },
        credits: { cost: 0 },
        clientAddress: '192.0.2.7',
      } satisfies VerifyKeyRequest),
    });
    return (await response.json()) as VerifyKeyResponse;
  };

  const issue = async (body: Record<string, unknown>): Promise<KeyBody> => {
    const created = await identity.post<KeyBody>('/v1/keys', { name: 'attack', ...body });
    expect(created.status).toBe(201);
    await expectEventually(async () => expect((await peek(created.json.key)).code).toBe('VALID'));
    return created.json;
  };

  beforeAll(async () => {
    writeFileSync(policyFile, POLICY);
    api = await startApi();
    await stack.start('identity', 'gateway');
    owner = stack.bootstrap();
    identity = stack.identityApi(owner.key);
    nginx = await startThrowawayNginx({
      authUrl: `${gatewayUrl()}/v1/authorize`,
      upstreamUrl: api.url,
    });
    // An ordinary key: it may use the API, not its admin routes.
    user = await issue({
      scopes: ['api:use'],
      rateLimits: [{ name: 'default', limit: 1_000, window: '60s' }],
      credits: { remaining: 100, refill: null },
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await api?.app.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Through nginx: the status, and the API handler that ran (if any). */
  const through = async (path: string, key?: string) => {
    const before = api.seen.length;
    const reply = await rawRequest(`${nginx.url}${path}`, {
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    });
    return { status: reply.status, handled: api.seen.slice(before).map((seen) => seen.handler) };
  };

  it('the setup works: admin routes need admin:all, public ones nothing', async () => {
    expect(await through('/admin/users')).toEqual({ status: 401, handled: [] });
    expect(await through('/admin/users', user.key)).toEqual({ status: 403, handled: [] });
    expect(await through('/public/status')).toEqual({ status: 200, handled: ['public'] });
    expect(await through('/orders/1', user.key)).toEqual({ status: 200, handled: ['catch-all'] });
  });

  // Finding 1: the gateway resolved dot segments and judged `/public/x`, while nginx passes the
  // raw URI to the API, whose router does not resolve them. Such paths are now refused outright.
  it.each(['/admin/../public/x', '/admin/%2e%2e/public/x', '/admin/.%2E/public/x'])(
    'a path through a public route never reaches a protected handler without a key: %s',
    async (path) => {
      expect(await through(path)).toEqual({ status: 403, handled: [] });
    },
  );

  // Finding 2 (fixed: canonicalPath): `%61` is `a` to the API's router; it was not to the policy
  // the undecoded path), so the request falls through to the looser catch-all route.
  it.each(['/%61dmin/users', '/adm%69n/users'])(
    'percent-encoding a letter does not move a request to a looser route: %s',
    async (path) => {
      expect(await through(path, user.key)).toEqual({ status: 403, handled: [] });
    },
  );

  // Finding 3: path-to-regexp matches case-insensitively by default (sensitive: false), so the
  // public route also covers /PUBLIC/…, which the (case-sensitive) API routes elsewhere.
  it('letter case does not widen a public route', async () => {
    expect(await through('/PUBLIC/status')).toEqual({ status: 401, handled: [] });
  });

  // Finding 4: for Envoy's ext_authz the path comes from Fastify's `*` param, which Fastify has
  // already percent-decoded once; the old normalizePath then decoded `%2e` again. `%252e%252e` is a
  // literal `%2e%2e` segment to the API (one decoding), `..` to the gateway.
  it('the Envoy-style path is decoded once, as the API decodes it', async () => {
    const path = '/admin/%252e%252e/public/x';
    // What the API does with it: its admin handler runs.
    const direct = await rawRequest(`${api.url}${path}`);
    expect(JSON.parse(direct.body)).toMatchObject({ handler: 'admin' });
    // What the gateway says to Envoy for the same path, without any key.
    const check = await rawRequest(`${gatewayUrl()}/v1/authorize${path}`);
    expect(check.status).toBe(401);
  });

  // Finding 6: X-Api-Key (id) + X-Api-Secret with the wrong id is refused (401 NOT_FOUND) only
  // after the verify script had charged the key's credits and limits.
  it('a refused X-Api-Key/X-Api-Secret pair charges nothing', async () => {
    const before = await peek(user.key);
    const reply = await rawRequest(`${nginx.url}/orders/1`, {
      headers: { 'x-api-key': 'key_0000000000000000000000', 'x-api-secret': user.key },
    });
    expect(reply.status).toBe(401);
    const after = await peek(user.key);
    expect(after.credits).toEqual(before.credits);
    expect(after.ratelimit?.remaining).toBe(before.ratelimit?.remaining);
  });

  // Finding 5 (runs last: it blocks nginx's address for a minute). With the gateway's default
  // configuration (no GATEWAY_TRUSTED_PROXIES), every client behind nginx is nginx's address,
  // and 50 made-up keys from any one of them refuse everyone, valid keys and public routes
  // included, for the whole window.
  it('made-up keys from one client do not lock valid keys and public routes out', async () => {
    for (let i = 0; i < 60; i += 1) {
      await rawRequest(`${nginx.url}/orders/1`, {
        headers: { authorization: 'Bearer kw_live_not-a-key' },
      });
    }
    expect(await through('/orders/1', user.key)).toEqual({ status: 200, handled: ['catch-all'] });
    expect(await through('/public/status')).toEqual({ status: 200, handled: ['public'] });
  });
});
