import {
  type BootstrapResult,
  type CreateKeyRequest,
  type KeyEventList,
  type KeyList,
  type KeyResource,
  type KeyWithSecret,
  type RevokeKeyRequest,
  type RotateKeyRequest,
  type UpdateKeyRequest,
} from '@keyway/contracts';
import { expectEventually } from '@keyway/platform-testing';
import { type Api, type ApiResponse } from '../support/api';
import { Stack } from '../support/stack';

/** A key's life over the management API, with two identity replicas sharing one database. */
describe('key lifecycle', () => {
  // Without `key.expiring` announcements (key-expiring.e2e-spec.ts has them), so that the event
  // lists below are only what the test did.
  const stack = new Stack(undefined, {
    EXPIRY_SCAN_INTERVAL_MS: '150',
    KEY_EXPIRING_LEAD_TIME: 'off',
  });
  let owner: BootstrapResult;
  let api: Api;

  beforeAll(async () => {
    await stack.start('identity');
    await stack.startReplica('identity'); // a second replica runs its own expiry scheduler
    owner = stack.bootstrap();
    api = stack.identityApi(owner.key);
  });

  afterAll(() => stack.stop());

  const issue = async (body: Partial<CreateKeyRequest> = {}) => {
    const created = await api.post<KeyWithSecret>('/v1/keys', {
      name: 'lifecycle',
      scopes: ['keyway:keys:read'],
      ownerId: owner.memberId,
      ...body,
    } satisfies CreateKeyRequest);
    expect(created.status).toBe(201);
    return created.json;
  };
  const canRead = async (key: string) =>
    (await stack.identityApi(key).get('/v1/workspace')).status === 200;

  it('updates, rotates with a grace period, revokes and deletes, recording every step in order', async () => {
    const key = await issue({ metadata: { team: 'bi' } });
    const updated = await api.patch<KeyResource>(`/v1/keys/${key.id}`, {
      name: 'renamed',
      scopes: ['keyway:keys:read', 'a:b'],
    } satisfies UpdateKeyRequest);
    expect(updated.json).toMatchObject({ version: 2, scopes: ['keyway:keys:read', 'a:b'] });

    const rotated = await api.post<KeyWithSecret>(`/v1/keys/${key.id}/rotate`, {
      gracePeriod: '1h',
    } satisfies RotateKeyRequest);
    expect(rotated.status).toBe(200);
    expect(rotated.json.key).not.toBe(key.key);
    expect(Date.parse(rotated.json.previousKeyExpiresAt ?? '') - Date.now()).toBeGreaterThan(
      3_500_000,
    );
    // Zero-downtime rotation: both secrets work during the grace period.
    expect(await canRead(key.key)).toBe(true);
    expect(await canRead(rotated.json.key)).toBe(true);

    // A second rotation without grace ends both older secrets now.
    const again = await api.post<KeyWithSecret>(`/v1/keys/${key.id}/rotate`, {
      gracePeriod: '0s',
    } satisfies RotateKeyRequest);
    expect(await canRead(key.key)).toBe(false);
    expect(await canRead(rotated.json.key)).toBe(false);
    expect(await canRead(again.json.key)).toBe(true);

    const revoked = await api.post<KeyResource>(`/v1/keys/${key.id}/revoke`, {
      reason: 'rotated out',
    } satisfies RevokeKeyRequest);
    expect(revoked.json).toMatchObject({ status: 'revoked', version: 5 });
    expect(await canRead(again.json.key)).toBe(false);
    expect((await api.post(`/v1/keys/${key.id}/revoke`)).status).toBe(409);

    const events = await api.get<KeyEventList>(`/v1/keys/${key.id}/events`);
    expect(events.json.data.map((event) => [event.sequence, event.type])).toEqual([
      [1, 'keyway.key.issued.v1'],
      [2, 'keyway.key.updated.v1'],
      [3, 'keyway.key.rotated.v1'],
      [4, 'keyway.key.rotated.v1'],
      [5, 'keyway.key.revoked.v1'],
    ]);
    for (const event of events.json.data) {
      expect(event.actor).toMatch(/^key:key_/);
      expect(event.actorip).toBe('127.0.0.1');
      expect(event.actoruseragent).toBeDefined();
    }

    expect((await api.delete(`/v1/keys/${key.id}`)).status).toBe(204);
    expect((await api.get(`/v1/keys/${key.id}`)).status).toBe(404);
    const history = await api.get<KeyEventList>(`/v1/keys/${key.id}/events`);
    expect(history.json.data.at(-1)).toMatchObject({ sequence: 6, type: 'keyway.key.deleted.v1' });
  });

  it('expires a key on time exactly once, with two replicas scanning', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const keys = await Promise.all(Array.from({ length: 5 }, () => issue({ expires: expiresAt })));
    expect(await canRead(keys[0]?.key ?? '')).toBe(true);
    await expectEventually(
      async () => {
        for (const key of keys)
          expect((await api.get<KeyResource>(`/v1/keys/${key.id}`)).json.status).toBe('expired');
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(await canRead(keys[0]?.key ?? '')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500)); // several more scans by both replicas
    const database = await stack.identityDatabase();
    const { rows } = await database.query(
      `SELECT aggregate_id, count(*)::int AS n FROM event_store
        WHERE type = 'keyway.key.expired.v1' AND aggregate_id = ANY($1) GROUP BY aggregate_id`,
      [keys.map((key) => key.id)],
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.n).toBe(1);
  });

  it('lists keys newest first with filters and a cursor that visits each key once', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++)
      created.push((await issue({ environment: 'test', name: `page-${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `/v1/keys?environment=test&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: ApiResponse<KeyList> = await api.get<KeyList>(query);
      expect(page.status).toBe(200);
      seen.push(...page.json.data.map((key) => key.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    const revoked = await api.get<KeyList>('/v1/keys?status=revoked&environment=test');
    expect(revoked.json.data).toEqual([]);
    expect((await api.get('/v1/keys?cursor=not-a-cursor')).json).toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });
});
