import { createHmac } from 'node:crypto';
import {
  expectEventually,
  startThrowawayKafka,
  type ThrowawayKafka,
} from '@keyway/platform-testing';
import { type BootstrapResult, Stack } from './support/stack';

/**
 * Nothing accepted is lost when Kafka dies: identity keeps accepting changes into its outbox
 * while the broker is down, and every one reaches Redis and the audit trail once it is back. A
 * consumer killed mid-stream resumes from its committed offsets. Runs on its own broker.
 */
describe('broker killed mid-way', () => {
  let kafka: ThrowawayKafka;
  let stack: Stack;
  let owner: BootstrapResult;

  beforeAll(async () => {
    kafka = await startThrowawayKafka();
    stack = new Stack(kafka.brokers.join(','));
    await stack.start('identity', 'gateway', 'audit');
    owner = stack.bootstrap();
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await kafka?.wipe();
  });

  async function issueKeys(count: number, label: string): Promise<{ id: string; key: string }[]> {
    const keys = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${stack.service('identity').url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${label}-${i}` }),
      });
      expect(response.status).toBe(201);
      keys.push((await response.json()) as { id: string; key: string });
    }
    return keys;
  }

  async function expectEverywhere(keys: { id: string; key: string }[], timeoutMs: number) {
    const audit = await stack.auditDatabase();
    await expectEventually(
      async () => {
        for (const { id, key } of keys) {
          const hash = createHmac('sha256', stack.pepper).update(key).digest('hex');
          expect(await stack.redis.get(`keyway:hash:{${hash}}`)).toBe(id);
        }
        const { rows } = await audit.query(
          'SELECT subject FROM audit_events WHERE subject = ANY($1)',
          [keys.map((key) => key.id)],
        );
        expect(rows).toHaveLength(keys.length);
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  it('accepts changes while the broker is dead and delivers all of them after it returns', async () => {
    const before = await issueKeys(5, 'before');
    await expectEverywhere(before, 30_000);

    await kafka.kill();
    // identity stays ready (changes wait in its outbox) and says it is degraded.
    const ready = await fetch(`${stack.service('identity').url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      details: { kafka: { status: 'up', degraded: true } },
    });
    const during = await issueKeys(20, 'during');
    // The gateway keeps verifying from Redis alone, and stays ready (Kafka only degrades it).
    const verified = await fetch(`${stack.service('gateway').url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: before[0]?.key }),
    });
    expect(await verified.json()).toMatchObject({ valid: true, keyId: before[0]?.id });
    expect((await fetch(`${stack.service('gateway').url}/health/ready`)).status).toBe(200);

    // The gateway dies too, mid-stream, and must resume from its committed offsets.
    await stack.service('gateway').kill();
    stack.services.delete('gateway');

    await kafka.start();
    await stack.start('gateway');
    const after = await issueKeys(5, 'after');

    await expectEverywhere([...before, ...during, ...after], 90_000);

    // Exactly one audit row per event, duplicates from redelivery notwithstanding.
    const audit = await stack.auditDatabase();
    const { rows } = await audit.query(
      `SELECT subject, count(*)::int AS n FROM audit_events GROUP BY subject HAVING count(*) > 1`,
    );
    expect(rows).toEqual([]);
    // A broker back with its data is the same partitions: nothing was read again from scratch.
    for (const name of ['gateway', 'audit'] as const) {
      expect(stack.service(name).output()).not.toMatch(/it was recreated/);
    }
  });
});
