import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  type BootstrapResult,
  type CreateKeyRequest,
  type ErrorBody,
  type ErrorCode,
  type KeyEventList,
  type KeyResource,
  type KeyWithSecret,
  type RevokeKeyRequest,
  type UpdateKeyRequest,
} from '@keyway/contracts';
import { repoRoot } from '@keyway/platform-testing';
import { type Api } from '../support/api';
import { Stack } from '../support/stack';

/** Bad input, idempotent POSTs and concurrent writers, against a running identity. */
describe('requests', () => {
  const stack = new Stack();
  let owner: BootstrapResult;
  let api: Api;
  let key: KeyWithSecret;

  const eventCount = async () =>
    Number(
      (await (await stack.identityDatabase()).query('SELECT count(*) AS n FROM event_store'))
        .rows[0].n,
    );

  beforeAll(async () => {
    await stack.start('identity');
    owner = stack.bootstrap();
    api = stack.identityApi(owner.key);
    key = (await api.post<KeyWithSecret>('/v1/keys', { name: 'target' } satisfies CreateKeyRequest))
      .json;
  });

  afterAll(() => stack.stop());

  describe('bad input gets a JSON error and changes nothing', () => {
    const raw = (
      method: string,
      path: string,
      body: string | undefined,
      contentType = 'application/json',
    ) =>
      fetch(`${stack.service('identity').url}${path}`, {
        method,
        headers: { authorization: `Bearer ${owner.key}`, 'content-type': contentType },
        ...(body === undefined ? {} : { body }),
      });

    interface BadRequest {
      what: string;
      method: string;
      path: string;
      body: string;
      status: number;
      code: ErrorCode;
      contentType?: string;
    }
    const post = (
      what: string,
      path: string,
      body: string,
      status = 400,
      code: ErrorCode = 'VALIDATION_ERROR',
    ) => ({
      what,
      method: 'POST',
      path,
      body,
      status,
      code,
    });
    it.each<BadRequest>([
      post('malformed JSON', '/v1/keys', '{"name": '),
      post('a JSON array', '/v1/keys', '[]'),
      post('an unknown field', '/v1/keys', '{"name":"x","admin":true}'),
      post('a wrong type', '/v1/keys', '{"name":42}'),
      post('an empty name', '/v1/keys', '{"name":"  "}'),
      post('an invalid scope', '/v1/keys', '{"name":"x","scopes":["has space"]}'),
      // The scope grammar keeps scopes safe in the gateway's X-Keyway-Scopes header.
      post('a scope unsafe in a header list', '/v1/keys', '{"name":"x","scopes":["a,b"]}'),
      post('a scope with a quote', '/v1/keys', '{"name":"x","scopes":["a\\"b"]}'),
      post('a non-ASCII scope', '/v1/keys', '{"name":"x","scopes":["caf\u00e9:read"]}'),
      post('a wildcard inside a scope', '/v1/keys', '{"name":"x","scopes":["a:*:b"]}'),
      post('an unknown environment', '/v1/keys', '{"name":"x","environment":"prod"}'),
      post('an unknown expiry preset', '/v1/keys', '{"name":"x","expires":"2w"}'),
      post('an expiry in the past', '/v1/keys', '{"name":"x","expires":"2001-01-01T00:00:00Z"}'),
      post('a bad CIDR', '/v1/keys', '{"name":"x","allowedCidrs":["10.0.0.0/33"]}'),
      post(
        'a zero rate limit',
        '/v1/keys',
        '{"name":"x","rateLimits":[{"name":"d","limit":0,"window":"60s"}]}',
      ),
      post(
        'metadata over 4 KiB',
        '/v1/keys',
        JSON.stringify({ name: 'x', metadata: { a: 'x'.repeat(5000) } }),
      ),
      post(
        'a body over 64 KiB',
        '/v1/keys',
        JSON.stringify({ name: 'x'.repeat(70_000) }),
        413,
        'PAYLOAD_TOO_LARGE',
      ),
      {
        ...post('a form body', '/v1/keys', 'name=x', 415, 'UNSUPPORTED_MEDIA_TYPE'),
        contentType: 'application/x-www-form-urlencoded',
      },
      { ...post('an empty update', '/v1/keys/{id}', '{}'), method: 'PATCH' },
      post('a bad grace period', '/v1/keys/{id}/rotate', '{"gracePeriod":"forever"}'),
      post('an unknown role', '/v1/members', '{"email":"a@b.example","role":"god"}'),
      post('a bad email', '/v1/members', '{"email":"not-an-email","role":"member"}'),
      { ...post('a bad prefix', '/v1/workspace', '{"prefix":"KW_1"}'), method: 'PATCH' },
      {
        ...post('an unknown key id', '/v1/keys/key_doesnotexist', '{"name":"x"}', 404, 'NOT_FOUND'),
        method: 'PATCH',
      },
      post(
        'a hostile key id',
        `/v1/keys/${encodeURIComponent("'; DROP TABLE keys; --")}/revoke`,
        '{}',
        404,
        'NOT_FOUND',
      ),
      post('an unknown route', '/v1/nothing', '{}', 404, 'NOT_FOUND'),
      { ...post('a bad limit', '/v1/keys?limit=1000', ''), method: 'GET' },
      { ...post('a hexadecimal limit', '/v1/keys?limit=0x10', ''), method: 'GET' },
      post('a NUL byte in a name', '/v1/keys', '{"name":"a\\u0000b"}'),
      post('a lone surrogate in a name', '/v1/keys', '{"name":"\\ud800"}'),
      { ...post('a NUL byte in an id', '/v1/keys/a%00b', ''), method: 'GET' },
      { ...post('a NUL byte in a filter', '/v1/keys?ownerId=%00', ''), method: 'GET' },
      {
        ...post(
          'a forged cursor',
          `/v1/keys?cursor=${Buffer.from('["2030","x"]').toString('base64url')}`,
          '',
        ),
        method: 'GET',
      },
    ])('$what → $status $code', async ({ method, path, body, status, code, contentType }) => {
      const before = await eventCount();
      const response = await raw(
        method,
        path.replace('{id}', key.id),
        method === 'GET' ? undefined : body,
        contentType,
      );
      expect(response.status).toBe(status);
      const json = (await response.json()) as Record<string, unknown>;
      expect(json).toMatchObject({
        code,
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(await eventCount()).toBe(before);
    });

    it('never answers 500 to garbage', async () => {
      for (const body of [
        'null',
        '"string"',
        '1',
        '{"name":{"$gt":""}}',
        '{"__proto__":{"x":1},"name":"x"}',
        '\u0000',
      ]) {
        const response = await raw('POST', '/v1/keys', body);
        expect(response.status).toBeLessThan(500);
      }
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the same response for the same request and records one change', async () => {
      const before = await eventCount();
      const headers = { 'Idempotency-Key': 'create-warehouse-1' };
      const body = { name: 'warehouse' } satisfies CreateKeyRequest;
      const first = await api.post<KeyWithSecret>('/v1/keys', body, headers);
      const second = await api.post<KeyWithSecret>('/v1/keys', body, headers);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.json).toEqual(first.json);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await eventCount()).toBe(before + 1);
      // The stored response holds the secret only encrypted.
      const { rows } = await (
        await stack.identityDatabase()
      ).query('SELECT * FROM idempotency_records');
      expect(JSON.stringify(rows)).not.toContain(first.json.key);
    });

    it('refuses the same key with a different body (422) and changes nothing', async () => {
      const headers = { 'Idempotency-Key': 'create-warehouse-2' };
      expect(
        (await api.post('/v1/keys', { name: 'a' } satisfies CreateKeyRequest, headers)).status,
      ).toBe(201);
      const before = await eventCount();
      const reused = await api.post('/v1/keys', { name: 'b' } satisfies CreateKeyRequest, headers);
      expect(reused.status).toBe(422);
      expect(reused.json).toMatchObject({ code: 'UNPROCESSABLE' } satisfies Partial<ErrorBody>);
      expect(await eventCount()).toBe(before);
    });

    it('does not cache a refusal: the corrected retry goes through', async () => {
      const headers = { 'Idempotency-Key': 'revoke-1' };
      const target = (
        await api.post<KeyWithSecret>('/v1/keys', { name: 'to-revoke' } satisfies CreateKeyRequest)
      ).json;
      const revoke = { reason: 'x' } satisfies RevokeKeyRequest;
      expect(
        // Not a RevokeKeyRequest: an unknown field.
        (await api.post(`/v1/keys/${target.id}/revoke`, { ...revoke, bad: 1 }, headers)).status,
      ).toBe(400);
      expect((await api.post(`/v1/keys/${target.id}/revoke`, revoke, headers)).status).toBe(200);
      expect((await api.post(`/v1/keys/${target.id}/revoke`, revoke, headers)).status).toBe(200);
      expect((await api.get<KeyResource>(`/v1/keys/${target.id}`)).json.version).toBe(2);
    });

    it('keeps idempotency keys per caller', async () => {
      const other = stack.identityApi(
        (
          await api.post<KeyWithSecret>('/v1/keys', {
            name: 'other',
            scopes: ['keyway:keys:write'],
            ownerId: owner.memberId,
          } satisfies CreateKeyRequest)
        ).json.key,
      );
      const headers = { 'Idempotency-Key': 'shared-name' };
      const body = { name: 'x' } satisfies CreateKeyRequest;
      const mine = await api.post<KeyWithSecret>('/v1/keys', body, headers);
      const theirs = await other.post<KeyWithSecret>('/v1/keys', body, headers);
      expect(theirs.json.id).not.toBe(mine.json.id);
    });
  });

  describe('concurrent writers', () => {
    it('lets one of 20 concurrent updates of a key win; the losers get 409 and the sequence has no gap', async () => {
      const target = (
        await api.post<KeyWithSecret>('/v1/keys', { name: 'contended' } satisfies CreateKeyRequest)
      ).json;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api.patch(`/v1/keys/${target.id}`, { name: `writer-${i}` } satisfies UpdateKeyRequest),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(response.json).toMatchObject({ code: 'CONFLICT' } satisfies Partial<ErrorBody>);
      }
      const events = await api.get<KeyEventList>(`/v1/keys/${target.id}/events`);
      const sequences = events.json.data.map((event) => event.sequence);
      expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
      expect(sequences.length).toBe(1 + statuses.filter((status) => status === 200).length);
      expect((await api.get<KeyResource>(`/v1/keys/${target.id}`)).json.version).toBe(
        sequences.length,
      );
    });

    it('has read models equal to a rebuild from the event store', async () => {
      const database = await stack.identityDatabase();
      const snapshot = async () =>
        Promise.all(
          ['keys', 'members', 'workspaces'].map(
            async (table) => (await database.query(`SELECT * FROM ${table} ORDER BY id`)).rows,
          ),
        );
      const before = await snapshot();
      const rebuilt = spawnSync(
        process.execPath,
        [join(repoRoot(), 'dist/apps/identity/src/command.js'), 'rebuild-projections'],
        { env: { ...process.env, ...stack.env('identity-command') }, encoding: 'utf8' },
      );
      expect(rebuilt.stderr).toBe('');
      expect(rebuilt.stdout).toMatch(/rebuilt from \d+ events/);
      expect(await snapshot()).toEqual(before);
    });
  });
});
