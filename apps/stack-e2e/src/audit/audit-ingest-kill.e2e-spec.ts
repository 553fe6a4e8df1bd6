import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { AuditRecord, GENESIS_HASH, TOPIC_SPECS, TOPICS } from '@keyway/contracts';
import { recordHash } from '@keyway/audit-chain';
import {
  expectEventually,
  startThrowawayKafka,
  type ThrowawayKafka,
} from '@keyway/platform-testing';
import { Stack } from '../support/stack';

const KEYS = 4_000;
const WORKSPACES = 8;
/** issued, updated, rotated, updated, revoked: 5 events a key. */
const EVENTS = KEYS * 5;
const hex = () => randomBytes(32).toString('hex');

/** A key's realistic lifecycle, as identity publishes it. */
function lifecycle(keyId: string, workspaceId: string) {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
  const base = (type: string, sequence: number, data: object) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/keyway/identity',
    type,
    subject: keyId,
    time: at(sequence),
    datacontenttype: 'application/json',
    workspaceid: workspaceId,
    sequence,
    actor: 'member:mem_killtest',
    actorip: '198.51.100.7',
    correlationid: `req_${sequence}`,
    data,
  });
  const first = hex();
  return [
    base('keyway.key.issued.v1', 1, {
      keyId,
      workspaceId,
      name: `sync-${keyId}`,
      environment: 'live',
      keyHash: first,
      start: 'kw_live_abcd',
      last4: 'wxyz',
      scopes: ['companies:read'],
      rateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
      credits: null,
      allowedCidrs: null,
      expiresAt: null,
      ownerId: null,
      metadata: { team: 'bi' },
      createdAt: at(1),
      createdBy: 'member:mem_killtest',
    }),
    base('keyway.key.updated.v1', 2, { scopes: ['companies:read', 'reports:*'] }),
    base('keyway.key.rotated.v1', 3, {
      keyHash: hex(),
      start: 'kw_live_efgh',
      last4: 'stuv',
      previousKeyHash: first,
      previousKeyExpiresAt: at(60),
      rotatedAt: at(3),
    }),
    base('keyway.key.updated.v1', 4, { name: `renamed-${keyId}` }),
    base('keyway.key.revoked.v1', 5, { reason: 'rotated out', revokedAt: at(5) }),
  ];
}

/**
 * Audit killed (SIGKILL) in the middle of ingesting 20,000 key events, then restarted: every
 * (subject, sequence) is recorded exactly once and every workspace chain verifies. Runs on its
 * own broker, so that no other suite's events (nor these) are replayed elsewhere.
 */
describe('audit ingest killed mid-batch', () => {
  let kafka: ThrowawayKafka;
  let stack: Stack;

  beforeAll(async () => {
    kafka = await startThrowawayKafka();
    stack = new Stack(kafka.brokers.join(','));
    await stack.start('audit');
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await kafka?.wipe();
  });

  it('records every event exactly once across a kill, and every chain verifies', async () => {
    const audit = await stack.auditDatabase();
    const recorded = async (): Promise<number> =>
      ((await audit.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0] as { n: number })
        .n;
    const client = new Kafka({
      clientId: 'audit-kill-e2e',
      brokers: [...kafka.brokers],
      logLevel: logLevel.NOTHING,
    });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: KEYS }, (_, index) => {
      const keyId = `key_kill${index}`;
      return lifecycle(keyId, `ws_kill${index % WORKSPACES}`).map((event) => ({
        key: keyId,
        value: JSON.stringify(event),
      }));
    }).flat();
    expect(messages).toHaveLength(EVENTS);
    expect(TOPIC_SPECS.find((spec) => spec.name === TOPICS.keys)?.partitions).toBeGreaterThan(1);
    const publishing = (async () => {
      for (let start = 0; start < messages.length; start += 2_000) {
        await producer.send({ topic: TOPICS.keys, messages: messages.slice(start, start + 2_000) });
      }
    })();

    // Killed while batches are in flight: some events recorded, far from all.
    await expectEventually(async () => expect(await recorded()).toBeGreaterThan(EVENTS / 10), {
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    await stack.service('audit').kill();
    const atKill = await recorded();
    expect(atKill).toBeLessThan(EVENTS);
    await publishing;
    await producer.disconnect();

    await stack.start('audit');
    await expectEventually(async () => expect(await recorded()).toBe(EVENTS), {
      timeoutMs: 150_000,
      intervalMs: 500,
    });
    // The restarted consumer compared where it stood with the topic: nothing looked recreated.
    expect(stack.service('audit').output()).not.toMatch(/it was recreated/);

    const { rows: duplicates } = await audit.query(
      `SELECT subject, sequence FROM audit_events GROUP BY subject, sequence HAVING count(*) > 1`,
    );
    expect(duplicates).toEqual([]);
    const { rows: perKey } = await audit.query(
      `SELECT count(DISTINCT subject)::int AS keys, min(sequence) AS low, max(sequence) AS high
         FROM audit_events`,
    );
    expect(perKey).toEqual([{ keys: KEYS, low: 1, high: 5 }]);
    // Each key's records in its sequence order.
    const { rows: disorder } = await audit.query(
      `SELECT subject FROM (
         SELECT subject, position,
                lag(position) OVER (PARTITION BY subject ORDER BY sequence) AS previous
           FROM audit_events) AS ordered
        WHERE previous > position`,
    );
    expect(disorder).toEqual([]);
    const { rows: states } = await audit.query(
      `SELECT status, count(*)::int AS n FROM audit_keys GROUP BY status`,
    );
    expect(states).toEqual([{ status: 'revoked', n: KEYS }]);

    for (let w = 0; w < WORKSPACES; w++) {
      const workspaceId = `ws_kill${w}`;
      const { rows } = await audit.query(
        `SELECT record FROM audit_events WHERE workspace_id = $1 ORDER BY position`,
        [workspaceId],
      );
      expect(rows).toHaveLength(EVENTS / WORKSPACES);
      let previous = GENESIS_HASH;
      rows.forEach((row: { record: string }, index: number) => {
        const record = AuditRecord.parse(JSON.parse(row.record));
        expect(record.position).toBe(index + 1);
        expect(record.prevHash).toBe(previous);
        expect(recordHash(record)).toBe(record.hash);
        previous = record.hash;
      });
      const { rows: heads } = await audit.query(
        `SELECT size::int, head_hash FROM audit_chain_heads WHERE workspace_id = $1`,
        [workspaceId],
      );
      expect(heads).toEqual([{ size: EVENTS / WORKSPACES, head_hash: previous }]);
    }
  });
});
