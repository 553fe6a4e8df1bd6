import {
  type AlertList,
  type AlertResource,
  type BootstrapResult,
  type CreatedWorkspace,
  type CreateSuppressionRequest,
  type CreateWorkspaceRequest,
  parseAlertEvent,
  type SuppressionList,
  type SuppressionResource,
  TOPICS,
} from '@keyway/contracts';
import { expectEventually, TopicReader } from '@keyway/platform-testing';
import { Api } from '../support/api';
import { Stack } from '../support/stack';

// Alerts over HTTP and Kafka with the three services running. Usage ingest is not what is under
// test here: the burst detector reads the minute rollups, written below as ingest would.
describe('audit alerts (e2e)', () => {
  const stack = new Stack(process.env['KAFKA_BROKERS'], {
    AUDIT_ALERT_EVALUATE_INTERVAL_MS: '500',
    AUDIT_ALERT_SETTLE_S: '0',
    AUDIT_ALERT_PUBLISH_INTERVAL_MS: '200',
  });
  let root: BootstrapResult;
  let auditA: Api;
  let auditB: Api;
  let reader: TopicReader;

  beforeAll(async () => {
    reader = await TopicReader.start(TOPICS.auditAlerts);
    await stack.start('identity', 'gateway', 'audit');
    root = stack.bootstrap();
    const b = await stack.identityApi(root.key).post<CreatedWorkspace>('/v1/workspaces', {
      name: 'alerts-b',
      owner: { email: 'owner@alerts-b.example' },
    } satisfies CreateWorkspaceRequest);
    expect(b.status).toBe(201);
    auditA = new Api(stack.service('audit').url, root.key);
    auditB = new Api(stack.service('audit').url, b.json.key.key);
    // The gateway knows the keys once it has read their events.
    for (const api of [auditA, auditB]) {
      await expectEventually(async () => expect((await api.get('/v1/alerts')).status).toBe(200), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    }
  });

  afterAll(async () => {
    await reader.stop();
    await stack.stop();
  });

  async function burstThisMinute(keyId: string): Promise<void> {
    const db = await stack.auditDatabase();
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await db.query(
      `INSERT INTO key_activity (key_id, workspace_id, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $3)`,
      [keyId, root.workspaceId, new Date(minute.getTime() - 2 * 3_600_000)],
    );
    await db.query(
      `INSERT INTO usage_rollups (key_id, granularity, bucket_start, workspace_id, valid, rate_limited)
       VALUES ($1, 'minute', $2, $3, 20, 500)`,
      [keyId, minute, root.workspaceId],
    );
  }

  it('raises a burst, serves it to its workspace only, publishes it; a suppression silences and is on the trail', async () => {
    const suppression = await auditA.post<SuppressionResource>('/v1/alerts/suppressions', {
      keyId: 'key_e2equiet',
      kind: 'denial-burst',
      reason: 'load test of the staging client',
    } satisfies CreateSuppressionRequest);
    expect(suppression.status).toBe(201);
    expect(suppression.json).toMatchObject({ workspaceId: root.workspaceId, deletedAt: null });

    await burstThisMinute('key_e2eburst');
    await burstThisMinute('key_e2equiet');
    // The minute is judged once it ended.
    const alert = await expectEventually(
      async () => {
        const list = await auditA.get<AlertList>('/v1/alerts?kind=denial-burst&status=open');
        expect(list.status).toBe(200);
        expect(list.json.data.map((a) => a.keyId)).toEqual(['key_e2eburst']);
        return list.json.data[0] as AlertResource;
      },
      // Every audit request is charged to the caller key's own limit (100/min by default): the
      // wait for the minute to end polls slowly enough to stay under it.
      { timeoutMs: 90_000, intervalMs: 2_000 },
    );
    expect(alert).toMatchObject({
      workspaceId: root.workspaceId,
      counts: { RATE_LIMITED: 500 },
      details: { thresholdPerMinute: 100, peakPerMinute: 500 },
    });
    expect((await auditA.get(`/v1/alerts/${alert.id}`)).json).toEqual(alert);

    // Another workspace sees nothing of it.
    expect((await auditB.get(`/v1/alerts/${alert.id}`)).status).toBe(404);
    expect((await auditB.get<AlertList>('/v1/alerts')).json.data).toEqual([]);
    expect((await auditB.get<SuppressionList>('/v1/alerts/suppressions')).json.data).toEqual([]);
    expect((await auditB.delete(`/v1/alerts/suppressions/${suppression.json.id}`)).status).toBe(
      404,
    );

    const event = await reader.waitFor((m) => m.key === alert.id, 15_000);
    expect(parseAlertEvent(event.value)).toMatchObject({
      type: 'keyway.alert.raised.v1',
      subject: alert.id,
      sequence: 1,
      workspaceid: root.workspaceId,
      data: { id: alert.id, kind: 'denial-burst', keyId: 'key_e2eburst' },
    });

    const deleted = await auditA.delete<SuppressionResource>(
      `/v1/alerts/suppressions/${suppression.json.id}`,
    );
    expect(deleted.status).toBe(200);
    expect(deleted.json.deletedAt).not.toBeNull();
    expect((await auditA.delete(`/v1/alerts/suppressions/${suppression.json.id}`)).status).toBe(
      404,
    );
    const db = await stack.auditDatabase();
    const trail = await db.query<{ type: string; sequence: number; actor: string; record: string }>(
      `SELECT type, sequence, actor, record FROM audit_events
        WHERE workspace_id = $1 AND subject = $2 ORDER BY position`,
      [root.workspaceId, suppression.json.id],
    );
    expect(trail.rows.map((r) => [r.type, r.sequence])).toEqual([
      ['keyway.alert-suppression.created.v1', 1],
      ['keyway.alert-suppression.deleted.v1', 2],
    ]);
    const created = JSON.parse(trail.rows[0]?.record ?? '{}') as Record<string, unknown>;
    expect(created['actor']).toMatch(/^key:key_/);
    expect(created).toMatchObject({ clientAddress: '127.0.0.1', keyId: 'key_e2equiet' });
  });

  it('answers bad input with 400 and changes nothing', async () => {
    const before = (await auditA.get<SuppressionList>('/v1/alerts/suppressions')).json.data;
    for (const query of [
      'status=bogus',
      'kind=everything',
      'keyId=not-a-key',
      'from=2025-01-02T00:00:00.000Z&to=2025-01-01T00:00:00.000Z',
      'from=yesterday',
      'cursor=not-ours',
      'limit=0',
      'unknown=1',
    ]) {
      const answer = await auditA.get(`/v1/alerts?${query}`);
      expect([query, answer.status, answer.json['code']]).toEqual([query, 400, 'VALIDATION_ERROR']);
    }
    for (const body of [
      {},
      { reason: 'neither key nor range' },
      { keyId: 'key_x' },
      { cidr: '300.1.1.0/24', reason: 'bad range' },
      { keyId: 'key_x', kind: 'everything', reason: 'bad kind' },
      { keyId: 'key_x', endsAt: '2020-01-01T00:00:00.000Z', reason: 'over already' },
      { keyId: 'key_x', reason: 'x', extra: true },
    ]) {
      const answer = await auditA.post('/v1/alerts/suppressions', body);
      expect([body, answer.status, answer.json['code']]).toEqual([body, 400, 'VALIDATION_ERROR']);
    }
    expect((await auditA.get<SuppressionList>('/v1/alerts/suppressions')).json.data).toEqual(
      before,
    );
    expect((await auditA.get('/v1/alerts/alr_doesnotexist')).status).toBe(404);
  });
});
