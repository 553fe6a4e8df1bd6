import { createHmac } from 'node:crypto';
import { KEY_EVENT_TYPES, TOPICS, parseKeyEvent } from '@keyway/contracts';
import { expectEventually, TopicReader } from '@keyway/platform-testing';
import { type BootstrapResult, Stack } from './support/stack';

interface CreatedKey {
  key: string;
  id: string;
  workspaceId: string;
  status: string;
  version: number;
}

/**
 * One change travels the whole spine: identity's HTTP API → event store + outbox → Kafka →
 * the gateway's Redis projection and the audit trail in Postgres.
 */
describe('walking skeleton', () => {
  const stack = new Stack();
  let owner: BootstrapResult;
  const reader = new TopicReader(TOPICS.keys);

  beforeAll(async () => {
    await stack.start('identity', 'gateway', 'audit');
    owner = stack.bootstrap();
    await reader.start();
  });

  afterAll(async () => {
    await reader.stop();
    await stack.stop();
  });

  async function issueKey(body: object): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${stack.service('identity').url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  it('issues a key over HTTP and sees it in Kafka, Redis and the audit trail', async () => {
    const { status, json } = await issueKey({
      name: 'skeleton',
      scopes: ['companies:read'],
      expires: '30d',
    });
    expect(status).toBe(201);
    const created = json as CreatedKey;
    expect(created.key).toMatch(/^kw_live_[0-9A-Za-z]{36}$/);
    expect(created).toMatchObject({ workspaceId: owner.workspaceId, status: 'active', version: 1 });
    const keyHash = createHmac('sha256', stack.pepper).update(created.key).digest('hex');

    const message = await reader.waitFor((m) => m.key === created.id, 15_000);
    const event = parseKeyEvent(message.value);
    expect(event).toMatchObject({ type: KEY_EVENT_TYPES.issued, subject: created.id, sequence: 1 });
    expect(event.type === KEY_EVENT_TYPES.issued && event.data.keyHash).toBe(keyHash);
    expect(event.actor).toMatch(/^key:key_/);

    // The gateway verifies it from its Redis projection, which holds only the hash.
    await expectEventually(
      async () => {
        expect(await stack.redis.get(`keyway:hash:{${keyHash}}`)).toBe(created.id);
        const response = await fetch(`${stack.service('gateway').url}/v1/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: created.key, scopes: ['companies:read'] }),
        });
        expect(await response.json()).toMatchObject({
          valid: true,
          keyId: created.id,
          scopes: ['companies:read'],
        });
      },
      { timeoutMs: 15_000 },
    );

    const audit = await stack.auditDatabase();
    await expectEventually(
      async () => {
        const { rows } = await audit.query(
          'SELECT type, sequence, actor FROM audit_events WHERE subject = $1',
          [created.id],
        );
        expect(rows).toEqual([{ type: KEY_EVENT_TYPES.issued, sequence: 1, actor: event.actor }]);
      },
      { timeoutMs: 15_000 },
    );

    // The secret exists only in the HTTP response: not in Kafka, Redis, audit or any log.
    const everything = [
      message.value ?? '',
      JSON.stringify(await stack.redis.hgetall(`keyway:key:{${created.id}}`)),
      JSON.stringify((await audit.query('SELECT record FROM audit_events')).rows),
      ...[...stack.services.values()].map((service) => service.output()),
    ].join('\n');
    expect(everything).not.toContain(created.key);
    expect(everything).not.toContain(owner.key);
  });

  it('refuses bad input with a JSON error and records nothing', async () => {
    const before = reader.messages().length;
    const { status, json } = await issueKey({ name: '', unknownField: true });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'VALIDATION_ERROR', requestId: expect.any(String) });

    const unauthenticated = await fetch(`${stack.service('identity').url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: 'Bearer kw_live_notakey', 'content-type': 'application/json' },
      body: '{"name":"x"}',
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ code: 'UNAUTHENTICATED' });

    // A key issued afterwards is the next message: nothing was published for the refusals.
    const { json: next } = await issueKey({ name: 'after-refusals' });
    await reader.waitFor((m) => m.key === (next as CreatedKey).id, 15_000);
    expect(
      reader
        .messages()
        .slice(before)
        .map((m) => m.key),
    ).toEqual([(next as CreatedKey).id]);
  });

  it('refuses a second bootstrap', () => {
    expect(() => stack.bootstrap()).toThrow(/already bootstrapped/);
  });

  it('serves health and Prometheus metrics on every service', async () => {
    for (const service of stack.services.values()) {
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain('process_cpu_user_seconds_total');
    }
    const identityMetrics = await (await fetch(`${stack.service('identity').url}/metrics`)).text();
    expect(identityMetrics).toContain('keyway_outbox_lag_seconds');
    // Requests are counted by route template, never by raw URL.
    expect(identityMetrics).toMatch(
      /keyway_http_request_duration_seconds_count\{[^}]*method="POST",route="\/v1\/keys",status="201"[^}]*\} [1-9]/,
    );
    expect(identityMetrics).not.toMatch(/route="\/v1\/keys\/key_/);
    // The gateway says how far its projection trails each key-topic partition (0: caught up).
    const gatewayMetrics = await (await fetch(`${stack.service('gateway').url}/metrics`)).text();
    expect(gatewayMetrics).toMatch(
      /keyway_kafka_consumer_lag\{group="[^"]+",topic="keyway\.keys\.v1",partition="\d+"[^}]*\} 0\n/,
    );
  });

  it('shuts down gracefully on SIGTERM: exit code 0 within the timeout', async () => {
    for (const name of ['gateway', 'audit', 'identity'] as const) {
      const service = stack.service(name);
      const started = Date.now();
      expect(await service.stop()).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(service.output()).toContain('SIGTERM received');
      stack.services.delete(name);
    }
  });
});
