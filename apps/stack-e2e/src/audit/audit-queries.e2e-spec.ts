import { createServer, type Server, type Socket } from 'node:net';
import {
  type AuditEventList,
  type BootstrapResult,
  type CreatedWorkspace,
  type CreateKeyRequest,
  type CreateMemberRequest,
  type CreateWorkspaceRequest,
  type ErrorBody,
  type KeyWithSecret,
  KEY_EVENT_TYPES,
  type MemberResource,
} from '@keyway/contracts';
import { expectEventually, freePort } from '@keyway/platform-testing';
import { Api } from '../support/api';
import { type ServiceProcess } from '../support/service-process';
import { Stack } from '../support/stack';

/** A raw GET to audit, returning the body as text (exports are not JSON). */
async function getText(baseUrl: string, path: string, key?: string) {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/**
 * The audit trail's queries and exports through the real stack: audit authenticates every caller
 * through the gateway's /v1/verify, sees only its workspace, and fails closed.
 */
describe('audit: trail queries, exports and their auth', () => {
  // The gateway's own invalid-key limiter, low enough to reach (audit's stays at its default 50).
  const stack = new Stack(undefined, { GATEWAY_INVALID_KEY_LIMIT: '12' });
  let root: BootstrapResult;
  let identityA: Api;
  let auditA: Api;
  let auditB: Api;
  let keyInA: KeyWithSecret;
  let keyInB: KeyWithSecret;
  let auditorKey: KeyWithSecret;
  let memberKey: KeyWithSecret;
  const audit = (key?: string) => new Api(stack.service('audit').url, key);

  const issue = async (api: Api, request: CreateKeyRequest) => {
    const created = await api.post<KeyWithSecret>('/v1/keys', request);
    expect(created.status).toBe(201);
    return created.json;
  };
  const memberWith = async (role: CreateMemberRequest['role']) => {
    const member = await identityA.post<MemberResource>('/v1/members', {
      email: `${role}@a.example`,
      role,
    } satisfies CreateMemberRequest);
    expect(member.status).toBe(201);
    return member.json.id;
  };
  /** Waits until the gateway knows the key (audit answers something other than 401). */
  const untilKnown = (key: string, expected: number) =>
    expectEventually(
      async () => expect((await audit(key).get('/v1/audit/events?limit=1')).status).toBe(expected),
      { timeoutMs: 20_000 },
    );

  beforeAll(async () => {
    await stack.start('identity', 'gateway', 'audit');
    root = stack.bootstrap();
    identityA = stack.identityApi(root.key);
    const b = await identityA.post<CreatedWorkspace>('/v1/workspaces', {
      name: 'tenant-b',
      owner: { email: 'owner@b.example' },
    } satisfies CreateWorkspaceRequest);
    expect(b.status).toBe(201);
    const identityB = stack.identityApi(b.json.key.key);
    keyInA = await issue(identityA, { name: 'orders-a', scopes: ['orders:read'] });
    keyInB = await issue(identityB, { name: 'orders-b', scopes: ['orders:read'] });
    auditorKey = await issue(identityA, {
      name: 'siem',
      scopes: ['keyway:audit:read'],
      ownerId: await memberWith('auditor'),
    });
    memberKey = await issue(identityA, {
      name: 'dev',
      scopes: ['keyway:keys:read'],
      ownerId: await memberWith('member'),
    });
    auditA = audit(root.key);
    auditB = audit(b.json.key.key);
    await untilKnown(root.key, 200);
    await untilKnown(b.json.key.key, 200);
    // The trail fills as identity's events arrive.
    await expectEventually(
      async () => {
        const [a, bList] = await Promise.all([
          auditA.get<AuditEventList>(`/v1/audit/events?keyId=${keyInA.id}`),
          auditB.get<AuditEventList>(`/v1/audit/events?keyId=${keyInB.id}`),
        ]);
        expect(a.status).toBe(200);
        expect(bList.status).toBe(200);
        expect(a.json.data).toHaveLength(1);
      },
      { timeoutMs: 30_000 },
    );
  }, 120_000);

  afterAll(() => stack.stop(), 60_000);

  it('serves the caller its own trail, filtered and paged, as AuditRecords', async () => {
    const page = await auditA.get<AuditEventList>(
      `/v1/audit/events?keyId=${keyInA.id}&type=${KEY_EVENT_TYPES.issued}`,
    );
    expect(page.status).toBe(200);
    expect(page.json.data[0]).toMatchObject({
      type: KEY_EVENT_TYPES.issued,
      keyId: keyInA.id,
      workspaceId: root.workspaceId,
    });
    expect(page.json.data[0]?.actor).toMatch(/^key:key_/);
    // Cursor pages, newest first, add up to the same records (once the setup's last events, on
    // other partitions, are in: the trail may still grow between the two reads).
    await expectEventually(
      async () => {
        const all = await auditA.get<AuditEventList>('/v1/audit/events?limit=500&order=asc');
        expect(all.json.data.every((record) => record.workspaceId === root.workspaceId)).toBe(true);
        expect(all.json.data.map((record) => record.position)).toEqual(
          all.json.data.map((_, i) => i + 1),
        );
        const seen: number[] = [];
        let cursor: string | null = null;
        do {
          const next: { json: AuditEventList } = await auditA.get<AuditEventList>(
            `/v1/audit/events?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
          );
          seen.push(...next.json.data.map((record) => record.position));
          cursor = next.json.nextCursor;
        } while (cursor !== null);
        expect(seen).toEqual(all.json.data.map((record) => record.position).reverse());
      },
      // Each read counts against the root key's rate limit (100 a minute): retry gently.
      { timeoutMs: 20_000, intervalMs: 1_000 },
    );
  });

  it('keeps workspaces apart on every route: another workspace key is 404, its records never shown', async () => {
    for (const path of [
      `/v1/audit/events?keyId=${keyInB.id}`,
      `/v1/audit/events/export?format=ndjson&keyId=${keyInB.id}`,
      `/v1/audit/events/export?format=ocsf&source=usage&keyId=${keyInB.id}`,
    ]) {
      const answer = await auditA.get<ErrorBody>(path);
      expect(answer.status).toBe(404);
      expect(answer.json.code).toBe('NOT_FOUND');
    }
    const exported = await getText(
      stack.service('audit').url,
      '/v1/audit/events/export?format=ndjson',
      root.key,
    );
    expect(exported.text).not.toContain(keyInB.id);
    const fromB = await auditB.get<AuditEventList>('/v1/audit/events?limit=500');
    expect(fromB.json.data.length).toBeGreaterThan(0);
    expect(fromB.json.data.every((record) => record.workspaceId !== root.workspaceId)).toBe(true);
    expect(JSON.stringify(fromB.json)).not.toContain(keyInA.id);
  });

  it('exports NDJSON, CSV and OCSF with their content types, byte for byte the same each time', async () => {
    const url = stack.service('audit').url;
    const list = await auditA.get<AuditEventList>('/v1/audit/events?limit=500&order=asc');
    for (const [format, type, extension] of [
      ['ndjson', 'application/x-ndjson; charset=utf-8', 'ndjson'],
      ['csv', 'text/csv; charset=utf-8; header=present', 'csv'],
      ['ocsf', 'application/x-ndjson; charset=utf-8', 'ocsf.ndjson'],
    ] as const) {
      const first = await getText(url, `/v1/audit/events/export?format=${format}`, auditorKey.key);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe(type);
      expect(first.headers.get('content-disposition')).toBe(
        `attachment; filename="keyway-audit-${root.workspaceId}.${extension}"`,
      );
      const second = await getText(url, `/v1/audit/events/export?format=${format}`, auditorKey.key);
      expect(second.text).toBe(first.text);
      if (format === 'ndjson') {
        const lines = first.text.trimEnd().split('\n');
        expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(list.json.data);
      }
    }
  });

  it('answers bad input with 400 and changes nothing', async () => {
    for (const query of [
      'limit=0',
      'limit=501',
      'limit=abc',
      'limit=0x10',
      'limit=1e1',
      'limit=%2016',
      'keyId=nope',
      'actor=someone',
      'type=keyway.key.issued',
      'from=yesterday',
      'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'order=sideways',
      'cursor=not-a-cursor',
      'unknown=1',
    ]) {
      const answer = await auditA.get<ErrorBody>(`/v1/audit/events?${query}`);
      expect([query, answer.status, answer.json.code]).toEqual([query, 400, 'VALIDATION_ERROR']);
    }
    for (const query of [
      '',
      'format=xml',
      'format=csv&source=usage',
      'format=ocsf&source=usage&actor=system',
    ]) {
      const answer = await auditA.get<ErrorBody>(`/v1/audit/events/export?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
    }
  });

  it('refuses a key without keyway:audit:read with 403', async () => {
    await untilKnown(memberKey.key, 403);
    for (const key of [memberKey.key, keyInA.key]) {
      for (const path of ['/v1/audit/events', '/v1/audit/events/export?format=ndjson']) {
        const answer = await audit(key).get<ErrorBody>(path);
        expect([path, answer.status, answer.json.code]).toEqual([path, 403, 'FORBIDDEN']);
      }
    }
  });

  it('refuses no key, a made-up key and a revoked key with 401 and a Bearer challenge', async () => {
    const revoked = await issue(identityA, {
      name: 'soon-revoked',
      scopes: ['keyway:audit:read'],
      ownerId: root.memberId,
    });
    await untilKnown(revoked.key, 200);
    expect((await identityA.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
    await untilKnown(revoked.key, 401);
    const madeUp = `${keyInA.key.slice(0, -8)}AAAAAAAA`;
    for (const key of [undefined, madeUp, revoked.key]) {
      for (const path of ['/v1/audit/events', '/v1/audit/events/export?format=csv']) {
        const answer = await audit(key).get<ErrorBody>(path);
        expect(answer.status).toBe(401);
        expect(answer.json.code).toBe('UNAUTHENTICATED');
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="keyway"');
      }
    }
  });

  it("limits an address's failed authentications with 429, its own and the gateway's", async () => {
    const replica: ServiceProcess = await stack.startReplica('audit', { INVALID_KEY_LIMIT: '3' });
    const madeUp = `${keyInA.key.slice(0, -8)}BBBBBBBB`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await new Api(replica.url, madeUp).get('/v1/audit/events')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await new Api(replica.url, madeUp).get<ErrorBody>('/v1/audit/events');
    expect(limited.json.code).toBe('TOO_MANY_INVALID_KEYS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The gateway's limiter (12 per address) answers through audit as 429 too, never as 503.
    let last = 0;
    for (let i = 0; i < 15 && last !== 429; i++) {
      last = (await audit(`${keyInA.key.slice(0, -8)}CCCCCCC${i % 10}`).get('/v1/audit/events'))
        .status;
      expect([401, 429]).toContain(last);
    }
    expect(last).toBe(429);
    // A good key still works from the same address.
    expect((await auditA.get('/v1/audit/events?limit=1')).status).toBe(200);
  });

  it('fails closed with 503 when the gateway hangs or is down, never 200', async () => {
    // A "gateway" that accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((listening) => silent.listen(port, '127.0.0.1', listening));
    try {
      const hung = await stack.startReplica('audit', {
        AUDIT_GATEWAY_URL: `http://127.0.0.1:${port}`,
        AUDIT_GATEWAY_TIMEOUT_MS: '300',
      });
      const answer = await new Api(hung.url, root.key).get<ErrorBody>('/v1/audit/events');
      expect([answer.status, answer.json.code]).toEqual([503, 'UNAVAILABLE']);
      expect(answer.headers.get('retry-after')).toBe('1');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
    await stack.service('gateway').stop();
    for (const path of ['/v1/audit/events', '/v1/audit/events/export?format=ndjson']) {
      const answer = await auditA.get<ErrorBody>(path);
      expect([path, answer.status, answer.json.code]).toEqual([path, 503, 'UNAVAILABLE']);
    }
  });
});
