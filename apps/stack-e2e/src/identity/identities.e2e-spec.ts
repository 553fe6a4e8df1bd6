import {
  type BootstrapResult,
  type CreatedWorkspace,
  type CreateKeyRequest,
  type CreateWorkspaceRequest,
  type ErrorBody,
  type IdentityList,
  type IdentityResource,
  type KeyResource,
  type KeyWithSecret,
  type PutIdentityRequest,
  TOPICS,
  type UpdateKeyRequest,
  WORKSPACE_EVENT_TYPES,
  KEY_EVENT_TYPES,
} from '@keyway/contracts';
import { TopicReader } from '@keyway/platform-testing';
import { type Api } from '../support/api';
import { identityCommand } from '../support/service-process';
import { Stack } from '../support/stack';

interface EventOnTopic {
  type: string;
  subject: string;
  workspaceid: string;
  data: Record<string, unknown>;
}

/**
 * Identities (external key owners) over the management API: PUT creates or replaces, GET, list,
 * DELETE revokes the identity's keys; and the rules between keys and identities.
 */
describe('identities', () => {
  const stack = new Stack();
  let root: BootstrapResult;
  let api: Api;
  let workspaces: TopicReader;
  let keys: TopicReader;

  const put = (externalId: string, body: PutIdentityRequest = {}, as = api) =>
    as.request<IdentityResource>('PUT', `/v1/identities/${externalId}`, body);
  const issue = (body: Partial<CreateKeyRequest>) =>
    api.post<KeyWithSecret>('/v1/keys', { name: 'k', ...body } satisfies CreateKeyRequest);
  const reasonOf = (response: { json: unknown }) =>
    (response.json as ErrorBody).details['reason'] as string | undefined;
  const eventsOf = (reader: TopicReader, subject: string) =>
    reader
      .messages()
      .map((message) => message.json as EventOnTopic)
      .filter((event) => event.subject === subject);
  /** The message of `subject`'s event of `type`, once it is on the topic. */
  const published = (reader: TopicReader, subject: string, type: string) =>
    reader.waitFor((message) => {
      const event = message.json as EventOnTopic;
      return event.subject === subject && event.type === type;
    });

  beforeAll(async () => {
    await stack.start('identity');
    root = stack.bootstrap();
    api = stack.identityApi(root.key);
    [workspaces, keys] = await Promise.all([
      TopicReader.start(TOPICS.workspaces),
      TopicReader.start(TOPICS.keys),
    ]);
  });

  afterAll(async () => {
    await workspaces?.stop();
    await keys?.stop();
    await stack.stop();
  });

  describe('PUT, GET, list', () => {
    it('creates (201), replaces (200, only what changed), and leaves an unchanged one alone', async () => {
      const created = await put('user_2xq9', {
        scopes: ['companies:read', 'reports:*'],
        metadata: { plan: 'pro' },
        rateLimits: [{ name: 'default', limit: 1000, window: '60s' }],
      });
      expect(created.status).toBe(201);
      expect(created.json).toEqual({
        id: expect.stringMatching(/^idt_/) as string,
        externalId: 'user_2xq9',
        workspaceId: root.workspaceId,
        scopes: ['companies:read', 'reports:*'],
        metadata: { plan: 'pro' },
        rateLimits: [{ name: 'default', limit: 1000, window: '60s' }],
        createdAt: expect.any(String) as string,
        updatedAt: created.json.createdAt,
        version: 1,
      } satisfies IdentityResource);

      const same = await put('user_2xq9', {
        scopes: ['companies:read', 'reports:*'],
        metadata: { plan: 'pro' },
        rateLimits: [{ name: 'default', limit: 1000, window: '60s' }],
      });
      expect(same.status).toBe(200);
      expect(same.json).toEqual(created.json);

      // A PUT is the whole identity: what it leaves out takes its default.
      const replaced = await put('user_2xq9', {
        scopes: ['companies:read'],
        metadata: { plan: 'pro' },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.json).toMatchObject({
        id: created.json.id,
        scopes: ['companies:read'],
        metadata: { plan: 'pro' },
        rateLimits: [],
        version: 2,
      });
      expect((await api.get<IdentityResource>('/v1/identities/user_2xq9')).json).toEqual(
        replaced.json,
      );

      const updated = await published(
        workspaces,
        created.json.id,
        WORKSPACE_EVENT_TYPES.identityUpdated,
      );
      expect(updated.key).toBe(root.workspaceId); // keyed by workspace, like members
      expect(
        eventsOf(workspaces, created.json.id).map(({ type, data }) => ({ type, data })),
      ).toEqual([
        {
          type: WORKSPACE_EVENT_TYPES.identityCreated,
          data: expect.objectContaining({
            externalId: 'user_2xq9',
            scopes: ['companies:read', 'reports:*'],
          }) as object,
        },
        {
          type: WORKSPACE_EVENT_TYPES.identityUpdated,
          data: { externalId: 'user_2xq9', scopes: ['companies:read'], rateLimits: [] },
        },
      ]);
    });

    it('answers 404 for an unknown identity', async () => {
      const missing = await api.get('/v1/identities/nobody');
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({
        code: 'NOT_FOUND',
        details: { reason: 'IDENTITY_NOT_FOUND' },
      });
      expect((await api.delete('/v1/identities/nobody')).status).toBe(404);
    });

    it('lists newest first, a page at a time', async () => {
      const ids: string[] = [];
      for (const n of [1, 2, 3, 4, 5]) ids.push((await put(`page-${n}`)).json.id);
      const seen: IdentityResource[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const page: { status: number; json: IdentityList } = await api.get<IdentityList>(
          `/v1/identities?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.json.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.json.data);
        cursor = page.json.nextCursor;
        pages += 1;
      }
      const mine = seen.filter((identity) => identity.externalId.startsWith('page-'));
      expect(mine.map((identity) => identity.id)).toEqual([...ids].reverse());
      expect(new Set(seen.map((identity) => identity.id)).size).toBe(seen.length);
      expect(pages).toBeGreaterThanOrEqual(3);
      const bad = await api.get('/v1/identities?cursor=nope');
      expect(bad.status).toBe(400);
      // Shaped like one of ours, but no instant Postgres knows: the cursor is refused, not the DB.
      for (const time of ['2026-13-45T99:99:99.999Z', '0000-01-01T00:00:00.000Z']) {
        const forged = Buffer.from(JSON.stringify([time, 'idt_x'])).toString('base64url');
        for (const path of ['/v1/identities', '/v1/keys']) {
          const answer = await api.get<ErrorBody>(`${path}?cursor=${forged}`);
          expect(answer.status).toBe(400);
          expect(answer.json).toMatchObject({
            message: 'cursor is not one this API returned',
            details: { field: 'cursor' },
          });
        }
      }
    });

    it.each([
      ['a mem_ external id', 'mem_abc', {}],
      ['an external id with a space', 'a%20b', {}],
      ['an external id with a slash', 'a%2Fb', {}],
      ['an external id of 129 characters', 'x'.repeat(129), {}],
      ['a percent-encoded id of 129 characters', '%40'.repeat(129), {}],
      ['a keyway:* scope', 'valid-1', { scopes: ['keyway:keys:read'] }],
      ['a scope outside the grammar', 'valid-2', { scopes: ['a b'] }],
      ['an unknown field', 'valid-3', { name: 'x' }],
      ['a bad limit', 'valid-4', { rateLimits: [{ name: 'd', limit: 0, window: '1s' }] }],
    ])('refuses %s (400), creating nothing', async (_what, externalId, body) => {
      const response = await api.request('PUT', `/v1/identities/${externalId}`, body);
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ code: 'VALIDATION_ERROR' });
      const list = await api.get<IdentityList>('/v1/identities?limit=100');
      expect(list.json.data.map((identity) => identity.externalId)).not.toContain(externalId);
    });

    it('takes an external id of 128 characters, percent-encoded or not', async () => {
      const long = `a${'@'.repeat(127)}`;
      const created = await put(encodeURIComponent(long));
      expect(created.status).toBe(201);
      expect(created.json.externalId).toBe(long);
      expect((await api.get(`/v1/identities/${long}`)).status).toBe(200);
    });

    it('needs keyway:identities:write to change and keys:read (or identities:write) to read', async () => {
      const reader = await issue({ scopes: ['keyway:keys:read'], ownerId: root.memberId });
      const writer = await issue({ scopes: ['keyway:identities:write'], ownerId: root.memberId });
      const asReader = stack.identityApi(reader.json.key);
      const asWriter = stack.identityApi(writer.json.key);
      expect((await put('perm', {}, asReader)).status).toBe(403);
      expect((await asReader.delete('/v1/identities/user_2xq9')).status).toBe(403);
      expect((await asReader.get('/v1/identities/user_2xq9')).status).toBe(200);
      expect((await asReader.get('/v1/identities')).status).toBe(200);
      expect((await put('perm', {}, asWriter)).status).toBe(201);
      expect((await asWriter.get('/v1/identities/perm')).status).toBe(200);
    });
  });

  describe('another workspace', () => {
    let other: Api;
    beforeAll(async () => {
      const created = await api.post<CreatedWorkspace>('/v1/workspaces', {
        name: 'other',
        owner: { email: 'owner@other.example' },
      } satisfies CreateWorkspaceRequest);
      other = stack.identityApi(created.json.key.key);
      expect((await put('theirs', { scopes: ['x:read'] }, other)).status).toBe(201);
    });

    it("does not see this workspace's identities (404), and its own of the same name are its own", async () => {
      expect((await api.get('/v1/identities/theirs')).status).toBe(404);
      expect((await api.delete('/v1/identities/theirs')).status).toBe(404);
      expect((await other.get('/v1/identities/theirs')).json).toMatchObject({ version: 1 });
      const mine = await put('theirs', { scopes: ['y:read'] });
      expect(mine.status).toBe(201);
      expect((await other.get<IdentityResource>('/v1/identities/theirs')).json.scopes).toEqual([
        'x:read',
      ]);
      const listed = await other.get<IdentityList>('/v1/identities');
      expect(listed.json.data.map((identity) => identity.externalId)).toEqual(['theirs']);
    });

    it("cannot own a key by another workspace's identity", async () => {
      const refused = await other.post('/v1/keys', {
        name: 'k',
        ownerId: 'user_2xq9',
      } satisfies CreateKeyRequest);
      expect(refused.status).toBe(400);
      expect(reasonOf(refused)).toBe('KEY_OWNER_NOT_FOUND');
    });
  });

  describe('keys owned by identities', () => {
    beforeAll(async () => {
      expect((await put('alice', { scopes: ['docs:read', 'docs:write'] })).status).toBe(201);
      expect((await put('bob', { scopes: ['docs:read'] })).status).toBe(201);
    });

    it('issues keys to an identity, in either environment, with its own scopes or ["*"]', async () => {
      const live = await issue({ ownerId: 'alice', scopes: ['docs:read'] });
      expect(live.status).toBe(201);
      const test = await issue({ ownerId: 'alice', scopes: ['*'], environment: 'test' });
      expect(test.status).toBe(201);
      expect(test.json).toMatchObject({ ownerId: 'alice', scopes: ['*'], environment: 'test' });
    });

    it.each([
      ['an unknown external owner', { ownerId: 'ghost' }, 'KEY_OWNER_NOT_FOUND'],
      ['["*"] without an owner', { scopes: ['*'] }, 'KEY_SCOPES_NOT_ALLOWED'],
      ['["*"] for a member', { scopes: ['*'], ownerId: 'MEMBER' }, 'KEY_SCOPES_NOT_ALLOWED'],
    ])('refuses %s (400)', async (_what, body: Partial<CreateKeyRequest>, reason) => {
      const ownerId = body.ownerId === 'MEMBER' ? root.memberId : body.ownerId;
      const response = await issue({ ...body, ...(ownerId ? { ownerId } : {}) });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(reasonOf(response)).toBe(reason);
    });

    it('refuses keyway:* scopes on an identity key', async () => {
      // From a member's key (as here) it is refused earlier: its keyway:* keys belong to members.
      const response = await issue({ ownerId: 'alice', scopes: ['keyway:keys:read'] });
      expect(response.status).toBe(403);
      const database = await stack.identityDatabase();
      const { rows } = await database.query(`SELECT 1 FROM keys WHERE owner_id = 'alice'
        AND 'keyway:keys:read' = ANY (scopes)`);
      expect(rows).toEqual([]);
    });

    it('refuses "*" beside other scopes (400)', async () => {
      const response = await issue({ ownerId: 'alice', scopes: ['*', 'docs:read'] });
      expect(response.status).toBe(400);
    });

    it('keeps a key with its identity: PATCH cannot move it to or from one (409)', async () => {
      const alices = (await issue({ ownerId: 'alice', scopes: ['docs:read'] })).json;
      const members = (await issue({ ownerId: root.memberId, scopes: ['docs:read'] })).json;
      const nobodys = (await issue({ scopes: ['docs:read'] })).json;
      for (const [key, ownerId] of [
        [alices, 'bob'],
        [alices, null],
        [alices, root.memberId],
        [members, 'alice'],
        [nobodys, 'alice'],
      ] as const) {
        const moved = await api.patch(`/v1/keys/${key.id}`, { ownerId } satisfies UpdateKeyRequest);
        expect(moved.status).toBe(409);
        expect(reasonOf(moved)).toBe('KEY_OWNER_FIXED');
      }
      const unknown = await api.patch(`/v1/keys/${nobodys.id}`, { ownerId: 'ghost' });
      expect(reasonOf(unknown)).toBe('KEY_OWNER_NOT_FOUND');
      // Naming its own identity again, or inheriting its scopes, is fine.
      const same = await api.patch<KeyResource>(`/v1/keys/${alices.id}`, {
        ownerId: 'alice',
        scopes: ['*'],
      } satisfies UpdateKeyRequest);
      expect(same.status).toBe(200);
      expect(same.json).toMatchObject({ ownerId: 'alice', scopes: ['*'], version: 2 });
      const keywayScopes = await api.patch(`/v1/keys/${alices.id}`, {
        scopes: ['keyway:keys:read'],
      });
      expect(keywayScopes.status).toBe(403);
      const inheritForMember = await api.patch(`/v1/keys/${members.id}`, { scopes: ['*'] });
      expect(reasonOf(inheritForMember)).toBe('KEY_SCOPES_NOT_ALLOWED');
      // The member key may still move between members and to no one.
      expect((await api.patch(`/v1/keys/${members.id}`, { ownerId: null })).status).toBe(200);
    });

    it('deleting an identity revokes its keys (events on Kafka), and a new one of its name starts afresh', async () => {
      const carol = (await put('carol', { scopes: ['docs:read'] })).json;
      const own = [
        (await issue({ ownerId: 'carol', scopes: ['docs:read'] })).json,
        (await issue({ ownerId: 'carol', scopes: ['*'], environment: 'test' })).json,
      ];
      const bystander = (await issue({ ownerId: 'alice', scopes: ['docs:read'] })).json;

      const deleted = await api.delete('/v1/identities/carol');
      expect(deleted.status).toBe(204);
      expect((await api.get('/v1/identities/carol')).status).toBe(404);
      expect((await api.delete('/v1/identities/carol')).status).toBe(404);
      for (const key of own) {
        expect((await api.get<KeyResource>(`/v1/keys/${key.id}`)).json).toMatchObject({
          status: 'revoked',
          revokeReason: 'identity deleted',
        });
        expect((await stack.identityApi(key.key).get('/v1/workspace')).status).toBe(401);
      }
      expect((await api.get<KeyResource>(`/v1/keys/${bystander.id}`)).json.status).toBe('active');

      await published(workspaces, carol.id, WORKSPACE_EVENT_TYPES.identityDeleted);
      expect(eventsOf(workspaces, carol.id).map((event) => event.type)).toEqual([
        WORKSPACE_EVENT_TYPES.identityCreated,
        WORKSPACE_EVENT_TYPES.identityDeleted,
      ]);
      expect(eventsOf(workspaces, carol.id)[1]?.data).toMatchObject({ externalId: 'carol' });
      for (const key of own) await published(keys, key.id, KEY_EVENT_TYPES.revoked);
      expect(eventsOf(keys, bystander.id).map((event) => event.type)).toEqual([
        KEY_EVENT_TYPES.issued,
      ]);

      // No key can be issued to the deleted identity; a new PUT is a new identity.
      expect(reasonOf(await issue({ ownerId: 'carol' }))).toBe('KEY_OWNER_NOT_FOUND');
      const again = await put('carol', { scopes: ['docs:read'] });
      expect(again.status).toBe(201);
      expect(again.json.id).not.toBe(carol.id);
      expect(again.json.version).toBe(1);
      for (const key of own) {
        expect((await api.get<KeyResource>(`/v1/keys/${key.id}`)).json.status).toBe('revoked');
      }
    });

    it('rebuilds the identities read model from the events', async () => {
      const before = await api.get<IdentityList>('/v1/identities?limit=100');
      const rebuilt = identityCommand(['rebuild-projections'], stack.env('identity-command'));
      expect(rebuilt.status).toBe(0);
      const after = await api.get<IdentityList>('/v1/identities?limit=100');
      expect(after.json).toEqual(before.json);
      expect(after.json.data.map((identity) => identity.externalId)).toContain('carol');
      const database = await stack.identityDatabase();
      const rows = await database.query(
        `SELECT status, count(*)::int AS n FROM identities WHERE external_id = 'carol' GROUP BY status ORDER BY status`,
      );
      expect(rows.rows).toEqual([
        { status: 'active', n: 1 },
        { status: 'deleted', n: 1 },
      ]);
    });
  });
});
