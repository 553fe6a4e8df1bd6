import {
  type BootstrapResult,
  type CreatedWorkspace,
  type ErrorBody,
  type CreateKeyRequest,
  type CreateMemberRequest,
  type CreateWorkspaceRequest,
  type KeyList,
  type KeyResource,
  type KeyWithSecret,
  type MemberList,
  type MemberResource,
  PLATFORM_ADMIN_SCOPE,
  type PutIdentityRequest,
  type RevokeKeyRequest,
  ROLE_SCOPES,
  type UpdateKeyRequest,
  type UpdateMemberRequest,
  type UpdateWorkspaceRequest,
  type WorkspaceResource,
} from '@keyway/contracts';
import { type Api } from '../support/api';
import { Stack } from '../support/stack';

/**
 * Tenant isolation and privilege escalation, for every endpoint: a caller sees only its own
 * workspace (another workspace's ids answer 404, never 403), needs the route's scope, and never
 * grants a scope or role it does not hold.
 */
describe('access control', () => {
  const stack = new Stack();
  // Every management scope a workspace's owner holds (all but platform admin).
  const MANAGEMENT_SCOPES = ROLE_SCOPES.owner;
  let root: BootstrapResult;
  let ownerA: Api; // owner of workspace A (the bootstrap workspace, also platform admin)
  let ownerB: Api; // owner of workspace B
  let keyInB: KeyWithSecret;
  let memberInB: string;
  const keyWith = async (
    api: Api,
    scopes: readonly string[],
    extra: Partial<CreateKeyRequest> = {},
  ) => {
    // Keys with management scopes belong to a member: here the bootstrap owner, unless given.
    const owner = scopes.some((scope) => scope.startsWith('keyway:'))
      ? { ownerId: root.memberId }
      : {};
    const created = await api.post<KeyWithSecret>('/v1/keys', {
      name: `k-${scopes.join('-')}`,
      scopes: [...scopes],
      ...owner,
      ...extra,
    } satisfies CreateKeyRequest);
    expect(created.status).toBe(201);
    return created.json;
  };

  /** Workspace A lets members issue their own keys (`memberKeys: own`; the default is none). */
  const letMembersIssueKeys = async () => {
    const updated = await ownerA.patch('/v1/workspace', {
      memberKeys: 'own',
    } satisfies UpdateWorkspaceRequest);
    expect(updated.status).toBe(200);
  };

  beforeAll(async () => {
    await stack.start('identity');
    root = stack.bootstrap();
    ownerA = stack.identityApi(root.key);
    const b = await ownerA.post<CreatedWorkspace>('/v1/workspaces', {
      name: 'tenant-b',
      owner: { email: 'owner@b.example' },
    } satisfies CreateWorkspaceRequest);
    expect(b.status).toBe(201);
    ownerB = stack.identityApi(b.json.key.key);
    keyInB = await keyWith(ownerB, ['orders:read']);
    memberInB = b.json.member.id;
    expect(
      (await ownerB.request('PUT', '/v1/identities/user-in-b', {} satisfies PutIdentityRequest))
        .status,
    ).toBe(201);
  });

  afterAll(() => stack.stop());

  describe("another workspace's resources are not found", () => {
    it.each([
      ['GET', '/v1/keys/{key}', undefined],
      ['GET', '/v1/keys/{key}/events', undefined],
      ['PATCH', '/v1/keys/{key}', { name: 'stolen' } satisfies UpdateKeyRequest],
      ['POST', '/v1/keys/{key}/rotate', {}],
      ['POST', '/v1/keys/{key}/revoke', {}],
      ['DELETE', '/v1/keys/{key}', undefined],
      ['GET', '/v1/members/{member}', undefined],
      ['PATCH', '/v1/members/{member}', { role: 'auditor' } satisfies UpdateMemberRequest],
      ['DELETE', '/v1/members/{member}', undefined],
      ['GET', '/v1/identities/user-in-b', undefined],
      ['DELETE', '/v1/identities/user-in-b', undefined],
    ] as const)('%s %s → 404', async (method, path, body) => {
      const response = await ownerA.request(
        method,
        path.replace('{key}', keyInB.id).replace('{member}', memberInB),
        body,
      );
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ code: 'NOT_FOUND' } satisfies Partial<ErrorBody>);
    });

    it('lists only its own keys and members, and its own workspace', async () => {
      const keys = await ownerA.get<KeyList>('/v1/keys?limit=100');
      expect(keys.json.data.map((key) => key.workspaceId)).toEqual(
        keys.json.data.map(() => root.workspaceId),
      );
      expect(keys.json.data.map((key) => key.id)).not.toContain(keyInB.id);
      const members = await ownerA.get<MemberList>('/v1/members');
      expect(new Set(members.json.data.map((member) => member.workspaceId))).toEqual(
        new Set([root.workspaceId]),
      );
      expect((await ownerB.get<WorkspaceResource>('/v1/workspace')).json.id).not.toBe(
        root.workspaceId,
      );
    });

    it('leaves the other workspace untouched', async () => {
      const key = await ownerB.get<KeyResource>(`/v1/keys/${keyInB.id}`);
      expect(key.json).toMatchObject({ status: 'active', version: 1 });
      expect((await ownerB.get('/v1/identities/user-in-b')).json).toMatchObject({ version: 1 });
    });
  });

  describe('each route needs its scope', () => {
    let target: KeyWithSecret;
    beforeAll(async () => {
      target = await keyWith(ownerA, ['x:read']);
    });

    const READS = ['keyway:keys:read', 'keyway:members:write', 'keyway:audit:read'];
    it.each([
      ['POST', '/v1/keys', { name: 'x' } satisfies CreateKeyRequest, ['keyway:keys:write']],
      ['GET', '/v1/keys', undefined, ['keyway:keys:read']],
      ['GET', '/v1/keys/{id}', undefined, ['keyway:keys:read']],
      ['GET', '/v1/keys/{id}/events', undefined, ['keyway:keys:read']],
      ['PATCH', '/v1/keys/{id}', { name: 'y' } satisfies UpdateKeyRequest, ['keyway:keys:write']],
      ['POST', '/v1/keys/{id}/rotate', {}, ['keyway:keys:write']],
      ['POST', '/v1/keys/{id}/revoke', {}, ['keyway:keys:write']],
      ['DELETE', '/v1/keys/{id}', undefined, ['keyway:keys:write']],
      [
        'POST',
        '/v1/members',
        { email: 'n@a.example', role: 'member' } satisfies CreateMemberRequest,
        ['keyway:members:write'],
      ],
      ['GET', '/v1/members', undefined, READS],
      [
        'GET',
        '/v1/workspace',
        undefined,
        [...READS, 'keyway:identities:write', 'keyway:workspace:admin'],
      ],
      [
        'PUT',
        '/v1/identities/someone',
        {} satisfies PutIdentityRequest,
        ['keyway:identities:write'],
      ],
      ['GET', '/v1/identities', undefined, ['keyway:keys:read', 'keyway:identities:write']],
      ['GET', '/v1/identities/someone', undefined, ['keyway:keys:read', 'keyway:identities:write']],
      ['DELETE', '/v1/identities/someone', undefined, ['keyway:identities:write']],
      [
        'PATCH',
        '/v1/workspace',
        { name: 'renamed' } satisfies UpdateWorkspaceRequest,
        ['keyway:workspace:admin'],
      ],
      [
        'POST',
        '/v1/workspaces',
        { name: 'c', owner: { email: 'c@c.example' } } satisfies CreateWorkspaceRequest,
        ['keyway:platform:admin'],
      ],
    ] as const)(
      '%s %s without the scope → 403, nothing changes',
      async (method, path, body, lacking) => {
        const scopes = MANAGEMENT_SCOPES.filter(
          (scope) => !(lacking as readonly string[]).includes(scope),
        );
        const caller = stack.identityApi((await keyWith(ownerA, scopes)).key);
        const response = await caller.request(method, path.replace('{id}', target.id), body);
        expect(response.status).toBe(403);
        expect(response.json).toMatchObject({ code: 'FORBIDDEN' } satisfies Partial<ErrorBody>);
        expect((await ownerA.get<KeyResource>(`/v1/keys/${target.id}`)).json).toMatchObject({
          status: 'active',
          version: 1,
        });
        expect((await ownerA.get<WorkspaceResource>('/v1/workspace')).json.name).toBe('e2e');
      },
    );

    it('answers 401 without a key, with a made-up key and with a revoked key', async () => {
      expect((await stack.identityApi().get('/v1/keys')).status).toBe(401);
      expect((await stack.identityApi('kw_live_' + 'a'.repeat(36)).get('/v1/keys')).status).toBe(
        401,
      );
      const revoked = await keyWith(ownerA, ['keyway:keys:read']);
      expect((await stack.identityApi(revoked.key).get('/v1/keys')).status).toBe(200);
      expect(
        (
          await ownerA.post(`/v1/keys/${revoked.id}/revoke`, {
            reason: 'test',
          } satisfies RevokeKeyRequest)
        ).status,
      ).toBe(200);
      const after = await stack.identityApi(revoked.key).get('/v1/keys');
      expect(after.status).toBe(401);
      expect(after.json).toMatchObject({ code: 'UNAUTHENTICATED' } satisfies Partial<ErrorBody>);
    });
  });

  describe('nobody grants what they do not hold', () => {
    const ownerKeyId = async () =>
      (await ownerA.get<KeyList>(`/v1/keys?ownerId=${root.memberId}&limit=100`)).json.data.find(
        (key) => key.scopes.includes(PLATFORM_ADMIN_SCOPE),
      )?.id ?? 'missing';
    let admin: Api;
    let adminMember: string;
    beforeAll(async () => {
      const created = await ownerA.post<MemberResource>('/v1/members', {
        email: 'admin@a.example',
        role: 'admin',
      } satisfies CreateMemberRequest);
      adminMember = created.json.id;
      admin = stack.identityApi(
        (
          await keyWith(ownerA, ['keyway:keys:read', 'keyway:keys:write', 'keyway:members:write'], {
            ownerId: adminMember,
          })
        ).key,
      );
    });

    it.each([
      [
        'a key with a management scope it lacks',
        () =>
          admin.post('/v1/keys', {
            name: 'x',
            scopes: ['keyway:workspace:admin'],
          } satisfies CreateKeyRequest),
      ],
      [
        'a key with platform admin',
        () =>
          admin.post('/v1/keys', {
            name: 'x',
            scopes: [PLATFORM_ADMIN_SCOPE],
          } satisfies CreateKeyRequest),
      ],
      [
        'an owner member',
        () =>
          admin.post('/v1/members', {
            email: 'evil@a.example',
            role: 'owner',
          } satisfies CreateMemberRequest),
      ],
      [
        'itself the owner role',
        () =>
          admin.patch(`/v1/members/${adminMember}`, {
            role: 'owner',
          } satisfies UpdateMemberRequest),
      ],
      [
        'a demotion of the owner',
        () =>
          admin.patch(`/v1/members/${root.memberId}`, {
            role: 'member',
          } satisfies UpdateMemberRequest),
      ],
      ['the removal of the owner', () => admin.delete(`/v1/members/${root.memberId}`)],
      [
        'workspace settings',
        () => admin.patch('/v1/workspace', { prefix: 'evil' } satisfies UpdateWorkspaceRequest),
      ],
      [
        'a new secret for the stronger owner key',
        async () => admin.post(`/v1/keys/${await ownerKeyId()}/rotate`, {}),
      ],
      [
        'more scopes on the owner key',
        async () =>
          admin.patch(`/v1/keys/${await ownerKeyId()}`, {
            name: 'mine now',
          } satisfies UpdateKeyRequest),
      ],
      [
        'a management key owned by no member',
        () =>
          admin.post('/v1/keys', {
            name: 'x',
            scopes: ['keyway:keys:read'],
            ownerId: 'ext-ci',
          } satisfies CreateKeyRequest),
      ],
    ])('an admin cannot grant %s (403)', async (_what, call) => {
      const response = await call();
      expect(response.status).toBe(403);
      expect(response.json).toMatchObject({ code: 'FORBIDDEN' } satisfies Partial<ErrorBody>);
    });

    it('caps a member key by the role, now and after the role changes', async () => {
      await letMembersIssueKeys();
      const member = await ownerA.post<MemberResource>('/v1/members', {
        email: 'dev@a.example',
        role: 'member',
      } satisfies CreateMemberRequest);
      // The owner may put admin scopes on a member's key; the member's role still caps it.
      const memberKey = await keyWith(
        ownerA,
        ['keyway:keys:read', 'keyway:keys:write', 'keyway:members:write'],
        {
          ownerId: member.json.id,
        },
      );
      const asMember = stack.identityApi(memberKey.key);
      expect(
        (
          await asMember.post('/v1/members', {
            email: 'x@a.example',
            role: 'auditor',
          } satisfies CreateMemberRequest)
        ).status,
      ).toBe(403);
      expect(
        (await asMember.post('/v1/keys', { name: 'mine' } satisfies CreateKeyRequest)).status,
      ).toBe(201);

      // Demoted to auditor: its key loses keys:write at once.
      expect(
        (
          await ownerA.patch(`/v1/members/${member.json.id}`, {
            role: 'auditor',
          } satisfies UpdateMemberRequest)
        ).status,
      ).toBe(200);
      expect(
        (await asMember.post('/v1/keys', { name: 'again' } satisfies CreateKeyRequest)).status,
      ).toBe(403);
      expect((await asMember.get('/v1/keys')).status).toBe(200);

      // Removed: its keys stop working and are revoked.
      expect((await ownerA.delete(`/v1/members/${member.json.id}`)).status).toBe(204);
      expect((await asMember.get('/v1/keys')).status).toBe(401);
      expect((await ownerA.get<KeyResource>(`/v1/keys/${memberKey.id}`)).json.status).toBe(
        'revoked',
      );
    });

    it('lets a member manage only its own keys', async () => {
      await letMembersIssueKeys();
      const member = await ownerA.post<MemberResource>('/v1/members', {
        email: 'dev2@a.example',
        role: 'member',
      } satisfies CreateMemberRequest);
      const asMember = stack.identityApi(
        (
          await keyWith(ownerA, ['keyway:keys:read', 'keyway:keys:write'], {
            ownerId: member.json.id,
          })
        ).key,
      );
      const someoneElses = await keyWith(ownerA, ['x:read']);
      expect((await asMember.post(`/v1/keys/${someoneElses.id}/revoke`, {})).status).toBe(403);
      expect(
        (
          await asMember.post('/v1/keys', {
            name: 'x',
            ownerId: root.memberId,
          } satisfies CreateKeyRequest)
        ).status,
      ).toBe(403);
      const own = await asMember.post<KeyWithSecret>('/v1/keys', {
        name: 'own',
      } satisfies CreateKeyRequest);
      expect(own.json.ownerId).toBe(member.json.id);
      // Un-owning its key would free it from the role cap and from revocation on removal.
      expect(
        (
          await asMember.patch(`/v1/keys/${own.json.id}`, {
            ownerId: null,
          } satisfies UpdateKeyRequest)
        ).status,
      ).toBe(403);
      expect(
        (
          await asMember.patch(`/v1/keys/${own.json.id}`, {
            ownerId: 'ext-service',
          } satisfies UpdateKeyRequest)
        ).status,
      ).toBe(403);
      expect((await asMember.post(`/v1/keys/${own.json.id}/revoke`, {})).status).toBe(200);
    });

    it('accepts a key only in the Authorization header, and never logs one sent elsewhere', async () => {
      const url = stack.service('identity').url;
      const inQuery = await fetch(`${url}/v1/keys?access_token=${root.key}`);
      expect(inQuery.status).toBe(401);
      const inBody = await fetch(`${url}/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: [root.key] }),
      });
      expect(inBody.status).toBe(401);
      expect(stack.service('identity').output()).not.toContain(root.key);
      expect(
        (await fetch(`${url}/v1/keys`, { headers: { authorization: `bearer ${root.key}` } }))
          .status,
      ).toBe(200);
    });

    it('takes platform admin from a bootstrap owner who is no longer an owner', async () => {
      const second = await ownerA.post<MemberResource>('/v1/members', {
        email: 'owner2@a.example',
        role: 'owner',
      } satisfies CreateMemberRequest);
      // The second owner rotates the key it was handed, so that no one else holds its secret
      // (else demoting the first owner, who set it, would revoke it).
      const handed = await keyWith(ownerA, ROLE_SCOPES.owner, { ownerId: second.json.id });
      const rotated = await stack
        .identityApi(handed.key)
        .post<KeyWithSecret>(`/v1/keys/${handed.id}/rotate`, {});
      expect(rotated.status).toBe(200);
      const asSecondOwner = stack.identityApi(rotated.json.key);

      expect(
        (
          await asSecondOwner.patch(`/v1/members/${root.memberId}`, {
            role: 'admin',
          } satisfies UpdateMemberRequest)
        ).status,
      ).toBe(200);
      const workspace = {
        name: 'late',
        owner: { email: 'l@l.example' },
      } satisfies CreateWorkspaceRequest;
      expect((await ownerA.post('/v1/workspaces', workspace)).status).toBe(403);

      expect(
        (
          await asSecondOwner.patch(`/v1/members/${root.memberId}`, {
            role: 'owner',
          } satisfies UpdateMemberRequest)
        ).status,
      ).toBe(200);
      expect((await ownerA.post('/v1/workspaces', workspace)).status).toBe(201);
    });

    it('adds one member for two concurrent adds of one email', async () => {
      const statuses = await Promise.all(
        [1, 2, 3].map(
          async () =>
            (
              await ownerA.post('/v1/members', {
                email: 'twice@a.example',
                role: 'member',
              } satisfies CreateMemberRequest)
            ).status,
        ),
      );
      expect(statuses.sort()).toEqual([201, 409, 409]);
    });

    it('keeps at least one owner', async () => {
      const response = await ownerB.patch(`/v1/members/${memberInB}`, {
        role: 'admin',
      } satisfies UpdateMemberRequest);
      expect(response.status).toBe(409);
      expect((await ownerB.get<MemberResource>(`/v1/members/${memberInB}`)).json.role).toBe(
        'owner',
      );
    });
  });
});
