import {
  CreatedWorkspace,
  ErrorBody,
  KeyActivityResponse,
  KeyReport,
  KeyUsageResponse,
  type CreateWorkspaceRequest,
  type KeyWithSecret,
} from '@keyway/contracts';
import { expectEventually } from '@keyway/platform-testing';
import { Api } from '../support/api';
import { type BootstrapResult, Stack } from '../support/stack';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The usage routes through the running stack: the caller's key verified by the gateway, answers
 * scoped to the caller's workspace. Usage rows are written straight into audit's tables here
 * (usage ingest has its own integration tests), and so are the audit_keys rows.
 */
describe('audit usage routes', () => {
  const stack = new Stack();
  let owner: BootstrapResult;
  let other: CreatedWorkspace;
  let audit: Api;
  let otherAudit: Api;
  let usedKey: KeyWithSecret;
  let idleKey: KeyWithSecret;
  const now = Date.now();
  const minute = Math.floor(now / 60_000) * 60_000;

  beforeAll(async () => {
    await stack.start('identity', 'gateway', 'audit');
    owner = stack.bootstrap();
    const identity = stack.identityApi(owner.key);
    const created = await identity.post('/v1/workspaces', {
      name: 'other',
      owner: { email: 'other-owner@example.com' },
    } satisfies CreateWorkspaceRequest);
    expect(created.status).toBe(201);
    other = CreatedWorkspace.parse(created.json);
    usedKey = (await identity.post<KeyWithSecret>('/v1/keys', { name: 'used' })).json;
    idleKey = (await identity.post<KeyWithSecret>('/v1/keys', { name: 'idle' })).json;
    audit = new Api(stack.service('audit').url, owner.key);
    otherAudit = new Api(stack.service('audit').url, other.key.key);

    const db = await stack.auditDatabase();
    const keyIds = [usedKey.id, idleKey.id, other.key.id];
    // The trail ingest records the keys from their events; then they are made 200 days old.
    await expectEventually(
      async () => {
        const { rows } = await db.query(
          'SELECT count(*)::int AS n FROM audit_keys WHERE key_id = ANY($1)',
          [keyIds],
        );
        expect(rows[0].n).toBe(keyIds.length);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await db.query('UPDATE audit_keys SET created_at = $2 WHERE key_id = ANY($1)', [
      keyIds,
      iso(now - 200 * DAY),
    ]);
    await db.query(
      `INSERT INTO usage_rollups (key_id, granularity, bucket_start, workspace_id, valid, revoked)
       VALUES ($1, 'minute', $3, $2, 5, 1),
              ($1, 'hour', date_trunc('hour', $3::timestamptz), $2, 5, 1)`,
      [usedKey.id, owner.workspaceId, iso(minute - 60_000)],
    );
    await db.query(
      `INSERT INTO key_activity (key_id, workspace_id, first_seen_at, last_seen_at, last_used_at,
                                 valid, revoked)
       VALUES ($1, $2, $3, $3, $3, 5, 1)`,
      [usedKey.id, owner.workspaceId, iso(minute - 30_000)],
    );
    await db.query(
      `INSERT INTO key_addresses (key_id, address, workspace_id, first_seen_at, last_seen_at,
                                  windows)
       VALUES ($1, '198.51.100.7', $2, $3, $3, 2)`,
      [usedKey.id, owner.workspaceId, iso(minute - 30_000)],
    );
    // The gateway knows the callers' keys once their events reached it.
    await expectEventually(
      async () => {
        expect((await audit.get('/v1/reports/inactive-keys')).status).toBe(200);
        expect((await otherAudit.get('/v1/reports/inactive-keys')).status).toBe(200);
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
  });

  afterAll(() => stack.stop());

  it('serves a key usage series by outcome, every minute bucket listed', async () => {
    const from = iso(minute - 120_000);
    const response = await audit.get<KeyUsageResponse>(
      `/v1/keys/${usedKey.id}/usage?granularity=minute&from=${from}&to=${iso(minute)}`,
    );
    expect(response.status).toBe(200);
    const body = KeyUsageResponse.parse(response.json);
    expect(body.buckets.map((bucket) => [bucket.start, bucket.total])).toEqual([
      [iso(minute - 120_000), 0],
      [iso(minute - 60_000), 6],
    ]);
    expect(body.totals).toMatchObject({ VALID: 5, REVOKED: 1, RATE_LIMITED: 0 });
    const hourly = await audit.get<KeyUsageResponse>(`/v1/keys/${usedKey.id}/usage`);
    expect(hourly.status).toBe(200);
    expect(KeyUsageResponse.parse(hourly.json)).toMatchObject({ granularity: 'hour' });
    expect(hourly.json.buckets).toHaveLength(24);
  });

  it('serves a key activity: last used, addresses, totals', async () => {
    const response = await audit.get<KeyActivityResponse>(`/v1/keys/${usedKey.id}/activity`);
    expect(response.status).toBe(200);
    expect(KeyActivityResponse.parse(response.json)).toMatchObject({
      keyId: usedKey.id,
      lastUsedAt: iso(minute - 30_000),
      total: 6,
      addresses: { total: 1, data: [{ address: '198.51.100.7', windows: 2 }], nextCursor: null },
    });
    const idle = await audit.get<KeyActivityResponse>(`/v1/keys/${idleKey.id}/activity`);
    expect(idle.json).toMatchObject({ lastUsedAt: null, total: 0 });
  });

  it('reports inactive and not rotated keys of the caller workspace only', async () => {
    const inactive = await audit.get<KeyReport>('/v1/reports/inactive-keys?days=30');
    expect(inactive.status).toBe(200);
    expect(KeyReport.parse(inactive.json).data.map((key) => key.keyId)).toEqual([idleKey.id]);
    const stale = await audit.get<KeyReport>('/v1/reports/stale-keys?days=90');
    expect(stale.json.data.map((key) => key.keyId).sort()).toEqual([usedKey.id, idleKey.id].sort());
    const theirs = await otherAudit.get<KeyReport>('/v1/reports/stale-keys?days=90');
    expect(theirs.json.data.map((key) => key.keyId)).toEqual([other.key.id]);
    // Their only key is the one calling: its verifications at the gateway reach audit as usage,
    // so it is not inactive, and nothing of the owner's workspace shows.
    await expectEventually(
      async () => {
        const theirInactive = await otherAudit.get<KeyReport>('/v1/reports/inactive-keys?days=30');
        expect(theirInactive.json.data).toEqual([]);
      },
      { timeoutMs: 15_000, intervalMs: 1_000 },
    );
  });

  it("answers 404 for another workspace's key and for a key audit never heard of", async () => {
    for (const path of [`/v1/keys/${usedKey.id}/usage`, `/v1/keys/${usedKey.id}/activity`]) {
      const response = await otherAudit.get<ErrorBody>(path);
      expect(response.status).toBe(404);
      expect(ErrorBody.parse(response.json).code).toBe('NOT_FOUND');
      expect(JSON.stringify(response.json)).not.toContain('198.51.100.7');
    }
    expect((await audit.get(`/v1/keys/${other.key.id}/activity`)).status).toBe(404);
    expect((await audit.get(`/v1/keys/${other.key.id}/usage`)).status).toBe(404);
    expect((await audit.get('/v1/keys/key_neverheardof/usage')).status).toBe(404);
  });

  it('refuses bad input with 400 VALIDATION_ERROR, and callers without a key with 401', async () => {
    for (const path of [
      `/v1/keys/${usedKey.id}/usage?granularity=week`,
      `/v1/keys/${usedKey.id}/usage?from=yesterday`,
      `/v1/keys/${usedKey.id}/usage?from=${iso(now)}&to=${iso(now - DAY)}`,
      `/v1/keys/${usedKey.id}/usage?granularity=minute&from=${iso(now - 3 * DAY)}`,
      `/v1/keys/${usedKey.id}/usage?color=blue`,
      `/v1/keys/${usedKey.id}/activity?addressLimit=0`,
      `/v1/keys/${usedKey.id}/activity?addressCursor=bm9wZQ`,
      '/v1/reports/inactive-keys?days=abc',
      '/v1/reports/inactive-keys?days=0',
      '/v1/reports/inactive-keys?cursor=%00%01',
      '/v1/reports/stale-keys?cursor=WyJub3QiXQ',
      '/v1/reports/stale-keys?limit=100000',
    ]) {
      const response = await audit.get<ErrorBody>(path);
      expect([path, response.status, response.json.code]).toEqual([path, 400, 'VALIDATION_ERROR']);
    }
    const anonymous = new Api(stack.service('audit').url);
    expect((await anonymous.get('/v1/reports/inactive-keys')).status).toBe(401);
    expect((await anonymous.get(`/v1/keys/${usedKey.id}/usage`)).status).toBe(401);
  });
});
