import {
  type BootstrapResult,
  type CreateKeyRequest,
  type CreateMemberRequest,
  type ErrorBody,
  type KeyResource,
  type KeyWithSecret,
  type MemberResource,
  type MemberRole,
  ROLE_SCOPES,
  type UpdateKeyRequest,
  type UpdateMemberRequest,
  type UpdateWorkspaceRequest,
  type WorkspaceResource,
} from '@keyway/contracts';
import { type Api } from '../support/api';
import { Stack } from '../support/stack';

/**
 * Issue 8, "found from outside": each request that showed a hole, answered as it must be now.
 * The expiry scheduler is slowed down so that a key past its `expiresAt` is judged by the clock
 * alone, as it is between the instant and the scheduler's `key.expired`.
 */
describe('identity, hardened', () => {
  const stack = new Stack(undefined, { EXPIRY_SCAN_INTERVAL_MS: '3600000' });
  let root: BootstrapResult;
  let owner: Api;

  const addMember = async (role: MemberRole): Promise<string> => {
    const added = await owner.post<MemberResource>('/v1/members', {
      email: `${role}-${Math.random().toString(36).slice(2)}@acme.example`,
      role,
    } satisfies CreateMemberRequest);
    expect(added.status).toBe(201);
    return added.json.id;
  };
  const issue = async (api: Api, body: CreateKeyRequest): Promise<KeyWithSecret> => {
    const created = await api.post<KeyWithSecret>('/v1/keys', body);
    expect(created.status).toBe(201);
    return created.json;
  };
  /** A member with a key holding every scope of its role, issued by the owner. */
  const memberWithKey = async (role: MemberRole) => {
    const memberId = await addMember(role);
    const key = await issue(owner, {
      name: `${role}-key`,
      scopes: [...ROLE_SCOPES[role]],
      ownerId: memberId,
    });
    return { memberId, key, api: stack.identityApi(key.key) };
  };
  const setRole = async (memberId: string, role: MemberRole) => {
    const changed = await owner.patch(`/v1/members/${memberId}`, {
      role,
    } satisfies UpdateMemberRequest);
    expect(changed.status).toBe(200);
  };
  const setMemberKeys = async (memberKeys: 'none' | 'own') => {
    const updated = await owner.patch<WorkspaceResource>('/v1/workspace', {
      memberKeys,
    } satisfies UpdateWorkspaceRequest);
    expect(updated.status).toBe(200);
    expect(updated.json.memberKeys).toBe(memberKeys);
  };

  beforeAll(async () => {
    await stack.start('identity');
    root = stack.bootstrap();
    owner = stack.identityApi(root.key);
  });

  afterAll(() => stack.stop());

  describe('1. an admin keeps no admin access after it is demoted or removed', () => {
    it('cannot issue a key owned by the owner, nor move its own key to the owner', async () => {
      const admin = await memberWithKey('admin');
      const parked = await admin.api.post<ErrorBody>('/v1/keys', {
        name: 'parked',
        scopes: ['keyway:keys:read', 'keyway:members:write'],
        ownerId: root.memberId,
      } satisfies CreateKeyRequest);
      expect(parked.status).toBe(403);
      const plain = await admin.api.post<ErrorBody>('/v1/keys', {
        name: 'parked-api-key',
        scopes: ['orders:read'],
        ownerId: root.memberId,
      } satisfies CreateKeyRequest);
      expect(plain.status).toBe(403);
      const moved = await admin.api.patch<ErrorBody>(`/v1/keys/${admin.key.id}`, {
        ownerId: root.memberId,
      } satisfies UpdateKeyRequest);
      expect(moved.status).toBe(403);
      expect((await owner.get<KeyResource>(`/v1/keys/${admin.key.id}`)).json.ownerId).toBe(
        admin.memberId,
      );
    });

    it('cannot take over an existing key of the owner: no widening, rotating or deleting it', async () => {
      const admin = await memberWithKey('admin');
      // The owner's own plain API key: no keyway:* scope the admin lacks.
      const ownersKey = await issue(owner, {
        name: 'dashboard',
        scopes: ['orders:read'],
        ownerId: root.memberId,
      });
      const widened = await admin.api.patch<ErrorBody>(`/v1/keys/${ownersKey.id}`, {
        scopes: [...ROLE_SCOPES.admin],
      } satisfies UpdateKeyRequest);
      expect(widened.status).toBe(403);
      const rotated = await admin.api.post<ErrorBody & { key?: string }>(
        `/v1/keys/${ownersKey.id}/rotate`,
        {},
      );
      expect(rotated.status).toBe(403);
      expect(rotated.json.key).toBeUndefined();
      expect((await admin.api.delete(`/v1/keys/${ownersKey.id}`)).status).toBe(403);
      expect(await owner.get<KeyResource>(`/v1/keys/${ownersKey.id}`)).toMatchObject({
        status: 200,
        json: { scopes: ['orders:read'], lastRotatedAt: null, version: 1 },
      });
      // Keys of members it could act on it manages as before; the owner's it may still revoke.
      const member = await memberWithKey('member');
      const membersKey = await issue(admin.api, {
        name: 'for-member',
        scopes: ['orders:read'],
        ownerId: member.memberId,
      });
      expect((await admin.api.post(`/v1/keys/${membersKey.id}/rotate`, {})).status).toBe(200);
      expect((await admin.api.post(`/v1/keys/${ownersKey.id}/revoke`, {})).status).toBe(200);
    });

    it('gives keys to members it could act on, and its management keys stay its own', async () => {
      const admin = await memberWithKey('admin');
      const member = await addMember('member');
      await issue(admin.api, { name: 'for-a-member', scopes: ['orders:read'], ownerId: member });
      // Without an owner, a management key it issues is its own, and ends with its membership.
      const own = await issue(admin.api, { name: 'mine', scopes: ['keyway:members:write'] });
      expect(own.ownerId).toBe(admin.memberId);
      expect((await owner.delete(`/v1/members/${admin.memberId}`)).status).toBe(204);
      const afterRemoval = await stack.identityApi(own.key).post('/v1/members', {
        email: 'sneaky@acme.example',
        role: 'admin',
      } satisfies CreateMemberRequest);
      expect(afterRemoval.status).toBe(401);
    });

    it('loses the management keys it handed to a peer when demoted or removed, unless rotated since', async () => {
      const a = await memberWithKey('admin');
      const b = await memberWithKey('admin');
      const status = async (id: string) =>
        (await owner.get<KeyResource>(`/v1/keys/${id}`)).json.status;
      // A hands B two admin keys (it saw both secrets) and moves one of its own to B.
      const handed = await issue(a.api, {
        name: 'for-b',
        scopes: ['keyway:keys:read', 'keyway:members:write'],
        ownerId: b.memberId,
      });
      const received = await issue(a.api, {
        name: 'for-b-rotated-on-receipt',
        scopes: ['keyway:keys:read', 'keyway:members:write'],
        ownerId: b.memberId,
      });
      const moved = await issue(a.api, { name: 'moved', scopes: ['keyway:members:write'] });
      expect(
        (
          await a.api.patch(`/v1/keys/${moved.id}`, {
            ownerId: b.memberId,
          } satisfies UpdateKeyRequest)
        ).status,
      ).toBe(200);
      // B rotates one on receipt: that secret is B's alone.
      expect((await b.api.post(`/v1/keys/${received.id}/rotate`, {})).status).toBe(200);

      await setRole(a.memberId, 'member');
      expect(await status(handed.id)).toBe('revoked');
      expect(await status(moved.id)).toBe('revoked');
      expect(await status(received.id)).toBe('active');
      expect(await status(b.key.id)).toBe('active');
      const withCopy = await stack.identityApi(handed.key).post('/v1/members', {
        email: `copy-${Math.random().toString(36).slice(2)}@acme.example`,
        role: 'admin',
      } satisfies CreateMemberRequest);
      expect(withCopy.status).toBe(401);

      // Removed: even a key whose scopes its old role still covers goes.
      const c = await memberWithKey('admin');
      const readOnly = await issue(c.api, {
        name: 'read-for-b',
        scopes: ['keyway:keys:read'],
        ownerId: b.memberId,
      });
      expect((await owner.delete(`/v1/members/${c.memberId}`)).status).toBe(204);
      expect(await status(readOnly.id)).toBe('revoked');
      expect(await status(received.id)).toBe('active');
    });
  });

  describe('2. an expired key stays expired, whatever the scheduler has done', () => {
    it('answers 409 to a change or a rotation once past expiresAt', async () => {
      const key = await issue(owner, {
        name: 'short-lived',
        expires: new Date(Date.now() + 1500).toISOString(),
      });
      // Wait out the clock (not the scheduler, slowed to an hour here).
      const expiry = Date.parse(key.expiresAt ?? '');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now() + 50)));
      const revived = await owner.patch<ErrorBody>(`/v1/keys/${key.id}`, {
        expiresAt: null,
      } satisfies UpdateKeyRequest);
      expect(revived.status).toBe(409);
      expect(revived.json.details).toMatchObject({ reason: 'KEY_NOT_ACTIVE' });
      const rotated = await owner.post<ErrorBody>(`/v1/keys/${key.id}/rotate`, {});
      expect(rotated.status).toBe(409);
      expect(rotated.json.details).toMatchObject({ reason: 'KEY_NOT_ACTIVE' });
      const after = await owner.get<KeyResource>(`/v1/keys/${key.id}`);
      expect(after.json.expiresAt).toBe(key.expiresAt);
      expect(after.json.version).toBe(1);
    });
  });

  describe('3. inputs that answered 500 are refused by the request schema', () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const duplicateLimits = [
      { name: 'default', limit: 1, window: '1s' },
      { name: 'default', limit: 2, window: '1s' },
    ];
    let target: KeyWithSecret;
    beforeAll(async () => {
      target = await issue(owner, { name: 'target' });
    });

    it.each([
      [
        'POST /v1/keys, duplicate limit names',
        'POST',
        '/v1/keys',
        { name: 'x', rateLimits: duplicateLimits },
      ],
      [
        'PATCH /v1/keys, duplicate limit names',
        'PATCH',
        '/v1/keys/{id}',
        { rateLimits: duplicateLimits },
      ],
      [
        'PATCH /v1/workspace, duplicate limit names',
        'PATCH',
        '/v1/workspace',
        { defaultRateLimits: duplicateLimits },
      ],
      [
        'a window above 2^53 ms',
        'POST',
        '/v1/keys',
        { name: 'x', rateLimits: [{ name: 'd', limit: 1, window: '999999999d' }] },
      ],
      [
        'a window above 366 days',
        'PATCH',
        '/v1/workspace',
        { defaultRateLimits: [{ name: 'd', limit: 1, window: '367d' }] },
      ],
      [
        'an expiry in the year 10000',
        'POST',
        '/v1/keys',
        { name: 'x', expires: '9999-12-31T23:59:59-23:59' },
      ],
      [
        'an expiry in the year 10000 (PATCH)',
        'PATCH',
        '/v1/keys/{id}',
        { expiresAt: '9999-12-31T23:59:59-23:59' },
      ],
      [
        'metadata nested 20,000 deep',
        'POST',
        '/v1/keys',
        `{"name":"x","metadata":{"m":${deep(20_000)}}}`,
      ],
      ['metadata nested 17 deep', 'PATCH', '/v1/keys/{id}', `{"metadata":{"m":${deep(16)}}}`],
      [
        'a scope with a control character',
        'POST',
        '/v1/keys',
        { name: 'x', scopes: ['orders:\u0007read'] },
      ],
      ['a scope with an emoji', 'PATCH', '/v1/keys/{id}', { scopes: ['orders:🔥'] }],
      ['a bare * scope on a key', 'POST', '/v1/keys', { name: 'x', scopes: ['*'] }],
      ['* inside a part', 'POST', '/v1/keys', { name: 'x', scopes: ['orders:re*d'] }],
    ] as const)('%s → 400 VALIDATION_ERROR, nothing changed', async (_, method, path, body) => {
      const before = await owner.get<KeyResource>(`/v1/keys/${target.id}`);
      const url = path.replace('{id}', target.id);
      for (const headers of [{}, { 'idempotency-key': `bad-${Math.random()}` }]) {
        const answer = await owner.request<ErrorBody>(method, url, body, headers);
        expect(answer.status).toBe(400);
        expect(answer.json.code).toBe('VALIDATION_ERROR');
        expect(answer.json.requestId).toEqual(expect.any(String));
      }
      expect((await owner.get<KeyResource>(`/v1/keys/${target.id}`)).json).toEqual(before.json);
    });

    it('accepts metadata nested 16 deep and a 366-day window', async () => {
      const ok = await owner.request<KeyResource>(
        'PATCH',
        `/v1/keys/${target.id}`,
        `{"metadata":{"m":${deep(15)}},"rateLimits":[{"name":"yearly","limit":5,"window":"366d"}]}`,
      );
      expect(ok.status).toBe(200);
    });
  });

  describe('4. test keys manage test keys only', () => {
    it('a test management key neither issues live keys nor rotates one', async () => {
      const testAdmin = await issue(owner, {
        name: 'test-admin',
        environment: 'test',
        scopes: ['keyway:keys:read', 'keyway:keys:write'],
        ownerId: root.memberId,
      });
      const asTest = stack.identityApi(testAdmin.key);
      const live = await issue(owner, { name: 'live-one' });
      const issued = await asTest.post<ErrorBody>('/v1/keys', {
        name: 'escalate',
        environment: 'live',
      } satisfies CreateKeyRequest);
      expect(issued.status).toBe(403);
      const rotated = await asTest.post<ErrorBody & { key?: string }>(
        `/v1/keys/${live.id}/rotate`,
        {},
      );
      expect(rotated.status).toBe(403);
      expect(rotated.json.key).toBeUndefined();
      for (const [method, body] of [
        ['PATCH', { name: 'renamed' }],
        ['DELETE', undefined],
      ] as const) {
        const answer = await asTest.request(method, `/v1/keys/${live.id}`, body);
        expect(answer.status).toBe(403);
      }
      expect((await asTest.post(`/v1/keys/${live.id}/revoke`, {})).status).toBe(403);
      // Test keys it manages as before.
      const test = await issue(asTest, { name: 'test-one', environment: 'test' });
      const testRotated = await asTest.post<KeyWithSecret>(`/v1/keys/${test.id}/rotate`, {});
      expect(testRotated.status).toBe(200);
      expect(testRotated.json.key).toMatch(/^kw_test_/);
    });

    it('nor changes members, identities or the workspace, on which live keys depend', async () => {
      const asTest = stack.identityApi(
        (
          await issue(owner, {
            name: 'test-owner',
            environment: 'test',
            scopes: [...ROLE_SCOPES.owner],
            ownerId: root.memberId,
          })
        ).key,
      );
      // An identity and a member, each with a live key.
      expect(
        (await owner.request('PUT', '/v1/identities/prod-user', { scopes: ['docs:read'] })).status,
      ).toBe(201);
      const identityKey = await issue(owner, { name: 'prod', ownerId: 'prod-user', scopes: ['*'] });
      const admin = await memberWithKey('admin');

      const refused = [
        await asTest.request('PUT', '/v1/identities/prod-user', { scopes: [] }),
        await asTest.request('PUT', '/v1/identities/new-user', { scopes: ['docs:*'] }),
        await asTest.delete('/v1/identities/prod-user'),
        await asTest.patch(`/v1/members/${admin.memberId}`, { role: 'auditor' }),
        await asTest.delete(`/v1/members/${admin.memberId}`),
        await asTest.post('/v1/members', { email: 'via-test@acme.example', role: 'admin' }),
        await asTest.patch('/v1/workspace', { memberKeys: 'own' }),
      ];
      for (const answer of refused) {
        expect(answer.status).toBe(403);
        expect((answer.json as unknown as ErrorBody).details['reason']).toMatch(/test key/);
      }
      // Nothing changed: the live keys work as before; reading is still allowed.
      expect((await owner.get<KeyResource>(`/v1/keys/${identityKey.id}`)).json.status).toBe(
        'active',
      );
      expect((await owner.get<KeyResource>(`/v1/keys/${admin.key.id}`)).json.status).toBe('active');
      expect((await admin.api.get('/v1/members')).status).toBe(200);
      expect((await asTest.get('/v1/identities/prod-user')).json).toMatchObject({
        scopes: ['docs:read'],
      });
      expect((await asTest.get('/v1/identities/new-user')).status).toBe(404);
      expect((await owner.get<WorkspaceResource>('/v1/workspace')).json.memberKeys).toBe('none');
      // Its member's own live keys it may still revoke: revoking one's own key is always allowed.
      const ownLive = await issue(owner, { name: 'own-live', ownerId: root.memberId });
      expect((await asTest.post(`/v1/keys/${ownLive.id}/revoke`, {})).status).toBe(200);
    });
  });

  describe('6. revocation cannot be blocked', () => {
    it("is judged on the key's role-capped rights, and its member may revoke it", async () => {
      const demoted = await memberWithKey('owner');
      const second = await issue(owner, {
        name: 'second-owner-key',
        scopes: [...ROLE_SCOPES.owner],
        ownerId: demoted.memberId,
      });
      await setRole(demoted.memberId, 'member');
      // An admin revokes a key whose stored scopes exceed its member's current role…
      const admin = await memberWithKey('admin');
      const byAdmin = await admin.api.post<KeyResource>(`/v1/keys/${second.id}/revoke`, {
        reason: 'demoted',
      });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.json.status).toBe('revoked');
      // …and the member revokes its own, whatever its scopes say and whatever the key policy.
      const own = await demoted.api.post<KeyResource>(`/v1/keys/${demoted.key.id}/revoke`, {});
      expect(own.status).toBe(200);
      expect(own.json.status).toBe('revoked');
    });

    it('a key without keyway:keys:write revokes itself, not others', async () => {
      const readOnly = await issue(owner, {
        name: 'read-only',
        scopes: ['keyway:keys:read'],
        ownerId: root.memberId,
      });
      const other = await issue(owner, { name: 'other' });
      const api = stack.identityApi(readOnly.key);
      expect((await api.post(`/v1/keys/${other.id}/revoke`, {})).status).toBe(403);
      expect((await api.post(`/v1/keys/${readOnly.id}/revoke`, {})).status).toBe(200);
    });

    it('wins against concurrent changes, every time', async () => {
      for (let round = 0; round < 5; round++) {
        const key = await issue(owner, { name: `contested-${round}` });
        const patches = Array.from({ length: 8 }, (_, i) =>
          owner.patch(`/v1/keys/${key.id}`, { name: `n-${round}-${i}` } satisfies UpdateKeyRequest),
        );
        const [revoked] = await Promise.all([
          owner.post<KeyResource>(`/v1/keys/${key.id}/revoke`, { reason: 'race' }),
          ...patches,
        ]);
        expect(revoked.status).toBe(200);
        expect(revoked.json.status).toBe('revoked');
      }
    });

    it.each(['member', 'identity'] as const)(
      'removing a %s wins against concurrent changes of its keys, every time',
      async (kind) => {
        // A member changes its own keys (memberKeys: own), as one resisting its removal would.
        await setMemberKeys('own');
        for (let round = 0; round < 6; round++) {
          let ownerId = `contested-${round}-${Date.now()}`;
          let changer = owner;
          if (kind === 'member') {
            const member = await memberWithKey('member');
            ownerId = member.memberId;
            changer = member.api;
          } else {
            expect((await owner.request('PUT', `/v1/identities/${ownerId}`, {})).status).toBe(201);
          }
          const keys = await Promise.all(
            [0, 1, 2].map((i) => issue(owner, { name: `k${i}`, ownerId })),
          );
          const changes = keys.flatMap((key) =>
            [0, 1, 2].flatMap((i) => [
              changer.post(`/v1/keys/${key.id}/rotate`, {}),
              changer.patch(`/v1/keys/${key.id}`, { name: `n${i}` } satisfies UpdateKeyRequest),
            ]),
          );
          const path = kind === 'member' ? `/v1/members/${ownerId}` : `/v1/identities/${ownerId}`;
          const [removed] = await Promise.all([owner.delete(path), ...changes]);
          expect(removed.status).toBe(204);
          for (const key of keys) {
            expect((await owner.get<KeyResource>(`/v1/keys/${key.id}`)).json.status).toBe(
              'revoked',
            );
          }
        }
        await setMemberKeys('none');
      },
    );
  });

  describe('careless clients', () => {
    it('may send Content-Type: application/json with no body (a DELETE, a body-less POST)', async () => {
      const key = await issue(owner, { name: 'to-delete' });
      const json = { 'content-type': 'application/json' };
      const revoked = await owner.request('POST', `/v1/keys/${key.id}/revoke`, undefined, json);
      expect(revoked.status).toBe(200);
      const deleted = await owner.request('DELETE', `/v1/keys/${key.id}`, undefined, json);
      expect(deleted.status).toBe(204);
      // A body that is there must still be JSON.
      const broken = await owner.request<ErrorBody>('POST', '/v1/keys', '{"name":', json);
      expect(broken.status).toBe(400);
      expect(broken.json.code).toBe('VALIDATION_ERROR');
    });
  });

  describe('what a key may learn', () => {
    it("reads the history of keys only, not of the workspace's other aggregates", async () => {
      const member = await addMember('auditor');
      for (const id of [member, root.workspaceId]) {
        const answer = await owner.get<ErrorBody>(`/v1/keys/${id}/events`);
        expect(answer.status).toBe(404);
      }
    });

    it('a key that cannot read keys cannot tell which key ids exist by revoking them', async () => {
      const apiKey = await issue(owner, { name: 'plain-api-key', scopes: ['orders:read'] });
      const other = await issue(owner, { name: 'someone-else' });
      const api = stack.identityApi(apiKey.key);
      const existing = await api.post<ErrorBody>(`/v1/keys/${other.id}/revoke`, {});
      const missing = await api.post<ErrorBody>('/v1/keys/key_doesnotexist/revoke', {});
      expect(existing.status).toBe(404);
      expect(existing.json.code).toBe(missing.json.code);
      expect(missing.status).toBe(404);
      expect((await owner.get<KeyResource>(`/v1/keys/${other.id}`)).json.status).toBe('active');
    });
  });

  describe('9. the workspace key policy', () => {
    it('with none (the default) members read keys and revoke their own; with own they issue', async () => {
      expect((await owner.get<WorkspaceResource>('/v1/workspace')).json.memberKeys).toBe('none');
      const member = await memberWithKey('member');
      const spare = await issue(owner, { name: 'spare', ownerId: member.memberId });
      expect((await member.api.get('/v1/keys')).status).toBe(200);
      const issued = await member.api.post<ErrorBody>('/v1/keys', {
        name: 'mine',
      } satisfies CreateKeyRequest);
      expect(issued.status).toBe(403);
      expect((await member.api.post(`/v1/keys/${spare.id}/rotate`, {})).status).toBe(403);
      expect(
        (await member.api.patch(`/v1/keys/${spare.id}`, { name: 'x' } satisfies UpdateKeyRequest))
          .status,
      ).toBe(403);
      expect((await member.api.post(`/v1/keys/${spare.id}/revoke`, {})).status).toBe(200);

      await setMemberKeys('own');
      try {
        const mine = await issue(member.api, { name: 'mine' });
        expect(mine.ownerId).toBe(member.memberId);
        expect((await member.api.post(`/v1/keys/${mine.id}/rotate`, {})).status).toBe(200);
      } finally {
        await setMemberKeys('none');
      }
    });
  });
});
