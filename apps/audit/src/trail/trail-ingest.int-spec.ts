import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { type DataSource } from 'typeorm';
import { AuditRecord, GENESIS_HASH, TOPICS } from '@keyway/contracts';
import { recordHash } from '@keyway/audit-chain';
import { openDatabase } from '@keyway/platform-database';
import { BatchConsumer, createKafka, ensureTopics, EventPublisher } from '@keyway/platform-kafka';
import {
  dropDatabase,
  expectEventually,
  kafkaBrokers,
  postgresFromEnv,
  repoRoot,
  TopicReader,
  uniqueName,
} from '@keyway/platform-testing';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { ChainAppender } from '../chain/chain-appender';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { AUDIT_MIGRATIONS } from '../migrations';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { AuditKeysRepository } from './audit-keys.repository';
import { SubjectStatesRepository } from './subject-states.repository';
import { decodeTrailEvent, type TrailEvent } from './trail-event';
import { TrailIngest } from './trail-ingest';

type Event = Record<string, unknown> & { subject: string; sequence: number; type: string };

const FIXTURES = join(repoRoot(), 'libs', 'contracts', 'src', 'fixtures');
const fixture = (type: string): Event =>
  JSON.parse(readFileSync(join(FIXTURES, `${type}.json`), 'utf8')) as Event;
const suffix = () => randomBytes(6).toString('hex');

/**
 * One workspace's coherent history built from the frozen fixtures, each event under fresh ids:
 * every key, workspace, member and identity event type.
 */
function history() {
  const ws = `ws_${suffix()}`;
  const keyA = `key_a${suffix()}`;
  const keyB = `key_b${suffix()}`;
  const member = `mem_${suffix()}`;
  const identity = `idt_${suffix()}`;
  const event = (type: string, subject: string, sequence: number, data: object = {}): Event => {
    const base = fixture(type);
    return {
      ...base,
      id: randomUUID(),
      subject,
      sequence,
      workspaceid: ws,
      data: { ...(base['data'] as object), ...data },
    };
  };
  const workspace = [
    event('keyway.workspace.created.v1', ws, 1, { workspaceId: ws }),
    event('keyway.workspace.updated.v1', ws, 2),
    event('keyway.workspace.updated.v2', ws, 3),
  ];
  const members = [
    event('keyway.member.added.v1', member, 1, { memberId: member }),
    event('keyway.member.role-changed.v1', member, 2, { memberId: member }),
    event('keyway.member.removed.v1', member, 3, { memberId: member }),
  ];
  const identities = [
    event('keyway.identity.created.v1', identity, 1, { identityId: identity }),
    event('keyway.identity.updated.v1', identity, 2),
    event('keyway.identity.deleted.v1', identity, 3),
  ];
  const keys = [
    event('keyway.key.issued.v1', keyA, 1, { keyId: keyA, workspaceId: ws }),
    event('keyway.key.updated.v1', keyA, 2),
    event('keyway.key.expiring.v1', keyA, 3),
    event('keyway.key.rotated.v1', keyA, 4),
    event('keyway.key.revoked.v1', keyA, 5),
    event('keyway.key.deleted.v1', keyA, 6),
    event('keyway.key.issued.v1', keyB, 1, { keyId: keyB, workspaceId: ws }),
    event('keyway.key.expired.v1', keyB, 2),
  ];
  return { ws, keyA, keyB, member, identity, workspace, members, identities, keys };
}

describe('trail ingest (real Postgres and Kafka)', () => {
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'audit-ingest-int' });
  const publisher = new EventPublisher(kafka);
  const keysTopic = uniqueName('int_keys');
  const workspacesTopic = uniqueName('int_workspaces');
  const keysDlq = `${keysTopic}.dlq`;
  /** The test's topics stand for the real ones: decoding goes by topic. */
  const realTopic: Record<string, string> = {
    [keysTopic]: TOPICS.keys,
    [workspacesTopic]: TOPICS.workspaces,
  };
  const databases: string[] = [];
  const sources: DataSource[] = [];
  const consumers: Array<BatchConsumer<TrailEvent>> = [];
  let dataSource: DataSource;
  let dlqReader: TopicReader;

  async function database(): Promise<DataSource> {
    const name = uniqueName('int_audit_ingest');
    databases.push(name);
    const opened = await openDatabase({
      connection: { ...postgresFromEnv(), database: name, poolSize: 4 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'audit-ingest-int',
    });
    sources.push(opened);
    return opened;
  }

  async function startConsumer(
    source: DataSource,
    groupId = uniqueName('int_trail'),
  ): Promise<BatchConsumer<TrailEvent>> {
    const progress = new ConsumerProgressRepository();
    const ingest = new TrailIngest(
      source,
      new ChainAppender(new ChainHeadsRepository(), new AuditEventsRepository(), new Clock()),
      new SubjectStatesRepository(),
      new AuditKeysRepository(),
      progress,
    );
    const consumer = new BatchConsumer(kafka, publisher, {
      groupId,
      topics: [keysTopic, workspacesTopic],
      deadLetterTopic: (topic) => `${topic}.dlq`,
      decode: (message) =>
        decodeTrailEvent({ ...message, topic: realTopic[message.topic] ?? message.topic }),
      readProgress: (topic, partition) => progress.find(source.manager, groupId, topic, partition),
      rewindProgress: (topic, partition, from, next) =>
        progress.rewind(source.manager, groupId, topic, partition, from, next),
      applyBatch: async (batch) => void (await ingest.apply(groupId, batch)),
      maxWaitTimeInMs: 100,
      retryDelayMs: 20,
    });
    consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  async function publish(topic: string, events: readonly (Event | string)[]): Promise<void> {
    await publisher.send(
      events.map((event) =>
        typeof event === 'string'
          ? { topic, key: 'poison', value: event }
          : { topic, key: event.subject, value: JSON.stringify(event) },
      ),
    );
  }

  async function recordsOf(source: DataSource, workspaceId: string): Promise<AuditRecord[]> {
    const rows: Array<{ record: string }> = await source.query(
      `SELECT record FROM audit_events WHERE workspace_id = $1 ORDER BY position`,
      [workspaceId],
    );
    return rows.map((row) => AuditRecord.parse(JSON.parse(row.record)));
  }

  function expectChain(records: readonly AuditRecord[]): void {
    let previous = GENESIS_HASH;
    records.forEach((record, index) => {
      expect(record.position).toBe(index + 1);
      expect(record.prevHash).toBe(previous);
      expect(recordHash(record)).toBe(record.hash);
      previous = record.hash;
    });
  }

  async function deadLettered(): Promise<number> {
    const metric = await register
      .getSingleMetric('keyway_kafka_messages_dead_lettered_total')
      ?.get();
    return (metric?.values ?? [])
      .filter((value) => value.labels['topic'] === keysTopic)
      .reduce((sum, value) => sum + value.value, 0);
  }

  beforeAll(async () => {
    await ensureTopics(kafka, [
      { name: keysTopic, partitions: 3, retentionMs: null, cleanupPolicy: 'delete' },
      { name: workspacesTopic, partitions: 3, retentionMs: null, cleanupPolicy: 'delete' },
      { name: keysDlq, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
      { name: `${workspacesTopic}.dlq`, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    dlqReader = await TopicReader.start(keysDlq);
    dataSource = await database();
    await startConsumer(dataSource);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop().catch(() => undefined);
    await dlqReader?.stop();
    await publisher.disconnect();
    for (const source of sources) await source.destroy();
    for (const name of databases) await dropDatabase(name);
  });

  it('records every event type in order with the fields it changed, before and after', async () => {
    const h = history();
    await publish(workspacesTopic, [...h.workspace, ...h.members, ...h.identities]);
    await publish(keysTopic, h.keys);

    const records = await expectEventually(
      async () => {
        const found = await recordsOf(dataSource, h.ws);
        expect(found).toHaveLength(17);
        return found;
      },
      { timeoutMs: 30_000 },
    );
    expectChain(records);
    const of = (subject: string) =>
      records
        .filter((record) => record.subject === subject)
        .map(({ type, sequence, before, after }) => ({ type, sequence, before, after }));
    // Each subject's records in its sequence order, whatever the interleaving across partitions.
    const issued = fixture('keyway.key.issued.v1')['data'] as Record<string, unknown>;
    const { keyHash: _secret, ...issuedState } = issued;
    expect(of(h.keyA)).toEqual([
      {
        type: 'keyway.key.issued.v1',
        sequence: 1,
        before: null,
        after: {
          ...issuedState,
          keyId: h.keyA,
          workspaceId: h.ws,
          status: 'active',
          lastRotatedAt: null,
        },
      },
      {
        type: 'keyway.key.updated.v1',
        sequence: 2,
        before: {
          scopes: ['companies:read', 'reports:*'],
          expiresAt: '2025-03-02T09:15:00.000Z',
          metadata: { team: 'bi', tier: 2, tags: ['etl'] },
        },
        after: { scopes: ['companies:read'], expiresAt: null, metadata: { team: 'bi' } },
      },
      {
        type: 'keyway.key.expiring.v1',
        sequence: 3,
        before: null,
        after: { expiring: { secret: 'current', expiresAt: '2025-03-02T09:15:00.000Z' } },
      },
      {
        type: 'keyway.key.rotated.v1',
        sequence: 4,
        before: {
          start: 'kw_live_a1B2',
          last4: 'x9Yz',
          lastRotatedAt: null,
          previousKeyExpiresAt: null,
        },
        after: {
          start: 'kw_live_Q7rT',
          last4: 'm3Kp',
          lastRotatedAt: '2025-02-10T08:00:00.000Z',
          previousKeyExpiresAt: '2025-02-11T08:00:00.000Z',
        },
      },
      {
        type: 'keyway.key.revoked.v1',
        sequence: 5,
        before: { status: 'active', revokedAt: null, revocationReason: null },
        after: {
          status: 'revoked',
          revokedAt: '2025-02-12T14:30:00.000Z',
          revocationReason: 'Leaked in a public repository',
        },
      },
      {
        type: 'keyway.key.deleted.v1',
        sequence: 6,
        before: { status: 'revoked', deletedAt: null },
        after: { status: 'deleted', deletedAt: '2025-03-10T12:00:00.000Z' },
      },
    ]);
    expect(of(h.keyB).slice(1)).toEqual([
      {
        type: 'keyway.key.expired.v1',
        sequence: 2,
        before: { status: 'active', expiredAt: null },
        after: { status: 'expired', expiredAt: '2025-03-02T09:15:00.000Z' },
      },
    ]);
    expect(of(h.ws)).toEqual([
      {
        type: 'keyway.workspace.created.v1',
        sequence: 1,
        before: null,
        after: {
          workspaceId: h.ws,
          name: 'Acme',
          prefix: 'kw',
          defaultRateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60000 }],
          memberKeys: 'none',
        },
      },
      {
        type: 'keyway.workspace.updated.v1',
        sequence: 2,
        before: {
          prefix: 'kw',
          defaultRateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60000 }],
        },
        after: {
          prefix: 'acme',
          defaultRateLimits: [{ name: 'default', limit: 1000, window: '1h', windowMs: 3600000 }],
        },
      },
      {
        type: 'keyway.workspace.updated.v2',
        sequence: 3,
        before: { memberKeys: 'none' },
        after: { memberKeys: 'own' },
      },
    ]);
    expect(of(h.member)).toEqual([
      {
        type: 'keyway.member.added.v1',
        sequence: 1,
        before: null,
        after: { memberId: h.member, email: 'ada@acme.example', role: 'member', status: 'active' },
      },
      {
        type: 'keyway.member.role-changed.v1',
        sequence: 2,
        before: { role: 'member' },
        after: { role: 'auditor' },
      },
      {
        type: 'keyway.member.removed.v1',
        sequence: 3,
        before: { status: 'active' },
        after: { status: 'removed' },
      },
    ]);
    expect(of(h.identity)).toEqual([
      {
        type: 'keyway.identity.created.v1',
        sequence: 1,
        before: null,
        after: {
          identityId: h.identity,
          externalId: 'user_2xq9',
          scopes: ['companies:read', 'reports:*'],
          metadata: { plan: 'pro' },
          rateLimits: [{ name: 'default', limit: 1000, window: '60s', windowMs: 60000 }],
          createdAt: '2025-03-05T10:00:00.000Z',
          status: 'active',
        },
      },
      {
        type: 'keyway.identity.updated.v1',
        sequence: 2,
        before: { scopes: ['companies:read', 'reports:*'] },
        after: { scopes: ['companies:read'] },
      },
      {
        type: 'keyway.identity.deleted.v1',
        sequence: 3,
        before: { status: 'active', deletedAt: null },
        after: { status: 'deleted', deletedAt: '2025-03-07T10:00:00.000Z' },
      },
    ]);

    // The envelope's who, where and why; the key a record is about; never a key hash.
    const first = records.find((record) => record.subject === h.keyA && record.sequence === 1);
    expect(first).toMatchObject({
      actor: 'member:mem_01JDQ3W9D6X5P3L8N0Q7S4U2XB',
      clientAddress: '203.0.113.7',
      userAgent: 'keyway-cli/0.1.0',
      correlationId: 'req_7f3c2a9e1b',
      keyId: h.keyA,
    });
    expect(records.filter((record) => record.keyId !== null).map((r) => r.subject)).toEqual(
      records.filter((record) => record.subject.startsWith('key_')).map((r) => r.subject),
    );
    const stored: Array<{ record: string }> = await dataSource.query(
      `SELECT record FROM audit_events WHERE workspace_id = $1`,
      [h.ws],
    );
    for (const hash of [
      issued['keyHash'],
      (fixture('keyway.key.rotated.v1')['data'] as Record<string, unknown>)['keyHash'],
    ]) {
      expect(JSON.stringify(stored)).not.toContain(String(hash));
    }

    // audit_keys, for reports.
    const keys = await dataSource.query(
      `SELECT key_id, workspace_id, name, environment, owner_id, status, created_at, rotated_at,
              expires_at, revoked_at, deleted_at, sequence
         FROM audit_keys WHERE workspace_id = $1 ORDER BY key_id`,
      [h.ws],
    );
    expect(keys).toEqual([
      {
        key_id: h.keyA,
        workspace_id: h.ws,
        name: 'data-warehouse-sync',
        environment: 'live',
        owner_id: 'mem_01JDQ3W9D6X5P3L8N0Q7S4U2XB',
        status: 'deleted',
        created_at: new Date('2025-01-31T09:15:00.000Z'),
        rotated_at: new Date('2025-02-10T08:00:00.000Z'),
        expires_at: null,
        revoked_at: new Date('2025-02-12T14:30:00.000Z'),
        deleted_at: new Date('2025-03-10T12:00:00.000Z'),
        sequence: 6,
      },
      {
        key_id: h.keyB,
        workspace_id: h.ws,
        name: 'data-warehouse-sync',
        environment: 'live',
        owner_id: 'mem_01JDQ3W9D6X5P3L8N0Q7S4U2XB',
        status: 'expired',
        created_at: new Date('2025-01-31T09:15:00.000Z'),
        rotated_at: null,
        expires_at: new Date('2025-03-02T09:15:00.000Z'),
        revoked_at: null,
        deleted_at: null,
        sequence: 2,
      },
    ]);
  });

  it('records a redelivered event once and an unknown type generically; parks broken ones', async () => {
    const h = history();
    const [issued] = h.keys;
    const parkedBefore = await deadLettered();
    const future: Event = {
      ...fixture('keyway.key.revoked.v1'),
      id: randomUUID(),
      type: 'keyway.key.suspended.v1',
      subject: h.keyA,
      sequence: 2,
      workspaceid: h.ws,
      data: { until: '2030-01-01T00:00:00.000Z', tokenHash: 'f'.repeat(64) },
    };
    const broken = { ...fixture('keyway.key.revoked.v1'), id: randomUUID(), subject: h.keyA };
    delete (broken as { data?: unknown }).data;
    await publish(keysTopic, [
      issued as Event,
      { ...(issued as Event), id: randomUUID() }, // the same (subject, sequence) again
      'not json',
      JSON.stringify({ ...broken, sequence: 3, workspaceid: h.ws }),
      future,
    ]);

    const records = await expectEventually(
      async () => {
        const found = await recordsOf(dataSource, h.ws);
        expect(found).toHaveLength(2);
        return found;
      },
      { timeoutMs: 30_000 },
    );
    expectChain(records);
    expect(records.map((r) => [r.type, r.sequence])).toEqual([
      ['keyway.key.issued.v1', 1],
      ['keyway.key.suspended.v1', 2],
    ]);
    expect(records[1]).toMatchObject({
      keyId: h.keyA,
      before: null,
      after: { until: '2030-01-01T00:00:00.000Z' },
    });

    await expectEventually(() => expect(dlqReader.messages()).toHaveLength(2), {
      timeoutMs: 10_000,
    });
    const parked = dlqReader.messages();
    expect(parked[0]?.value).toBe('not json');
    expect(parked[1]?.json).toMatchObject({ subject: h.keyA, sequence: 3 });
    expect(String(parked[1]?.headers['x-keyway-dlq-error'])).toContain('data');
    expect(await deadLettered()).toBe(parkedBefore + 2);
    // The key's state went on from its last known event: a later revocation is recorded after.
    const [state] = await dataSource.query(
      `SELECT sequence, state->>'status' AS status FROM audit_subject_states WHERE subject = $1`,
      [h.keyA],
    );
    expect(state).toEqual({ sequence: 2, status: 'active' });
  });

  it('replays from the start for a new group, and resumes where Postgres says for the same', async () => {
    const h = history();
    await publish(keysTopic, h.keys);
    await expectEventually(async () => expect(await recordsOf(dataSource, h.ws)).toHaveLength(8), {
      timeoutMs: 30_000,
    });

    // A new group on a new database reads both topics from their first offset.
    const fresh = await database();
    const groupId = uniqueName('int_trail_replay');
    const replaying = await startConsumer(fresh, groupId);
    const count = async (source: DataSource): Promise<number> =>
      ((await source.query(`SELECT count(*)::int AS n FROM audit_events`)) as [{ n: number }])[0].n;
    await expectEventually(
      async () => {
        expect(await recordsOf(fresh, h.ws)).toHaveLength(8);
        expect(await count(fresh)).toBe(await count(dataSource));
      },
      { timeoutMs: 30_000 },
    );

    // Restarted in the same group, it takes up from its stored progress: nothing twice.
    await replaying.stop();
    const more = history();
    await publish(keysTopic, more.keys.slice(0, 2));
    await startConsumer(fresh, groupId);
    await expectEventually(async () => expect(await recordsOf(fresh, more.ws)).toHaveLength(2), {
      timeoutMs: 30_000,
    });
    const duplicates = await fresh.query(
      `SELECT subject, sequence FROM audit_events GROUP BY subject, sequence HAVING count(*) > 1`,
    );
    expect(duplicates).toEqual([]);
    expectChain(await recordsOf(fresh, h.ws));
  });

  it('reads a partition again from its start without appending what retention pruned', async () => {
    const h = history();
    await publish(keysTopic, h.keys);
    const source = await database();
    const groupId = uniqueName('int_trail_reread');
    const consumer = await startConsumer(source, groupId);
    await expectEventually(async () => expect(await recordsOf(source, h.ws)).toHaveLength(8), {
      timeoutMs: 30_000,
    });
    await consumer.stop();
    // Retention pruned the first three records of the workspace (as the pruner does: from the
    // front), then the partitions are read again from offset 0 (a recreated or cut-short topic).
    await source.query(`DELETE FROM audit_events WHERE workspace_id = $1 AND position <= 3`, [
      h.ws,
    ]);
    await source.query(`UPDATE audit_consumer_progress SET next_offset = 0 WHERE group_id = $1`, [
      groupId,
    ]);
    const more = history();
    await publish(keysTopic, more.keys.slice(0, 2));
    await startConsumer(source, groupId);
    await expectEventually(async () => expect(await recordsOf(source, more.ws)).toHaveLength(2), {
      timeoutMs: 30_000,
    });
    // Everything before was read again: the five kept are not twice, the three pruned not back.
    const kept = await recordsOf(source, h.ws);
    expect(kept.map((record) => record.position)).toEqual([4, 5, 6, 7, 8]);
  });
});
