import { generateKeyPairSync } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  canonicalJson,
  noteSigner,
  recordHash,
  signCheckpoint,
  parseCheckpointText,
  parseNote,
} from '@keyway/audit-chain';
import {
  type AuditRecord,
  type BreakReason,
  CheckpointSignedV1,
  TOPICS,
  type UnhashedAuditRecord,
} from '@keyway/contracts';
import { openDatabase } from '@keyway/platform-database';
import { createKafka, EventPublisher } from '@keyway/platform-kafka';
import {
  dropDatabase,
  kafkaBrokers,
  postgresFromEnv,
  TopicReader,
  uniqueName,
} from '@keyway/platform-testing';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { ChainAppender } from '../chain/chain-appender';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { auditConfig, auditEnvSchema } from '../config';
import { AUDIT_MIGRATIONS } from '../migrations';
import { checkpointKeys } from './checkpoint-keys';
import { CheckpointPublisher } from './checkpoint-publisher';
import { CheckpointScheduler } from './checkpoint-scheduler';
import { CheckpointWriter } from './checkpoint-writer';
import { CheckpointsRepository } from './checkpoints.repository';
import { INTEGRITY_LOCK, IntegrityCheck } from './integrity-check';
import { IntegrityError } from './integrity.errors';
import { toHttpError } from '../errors/http-error';
import { RetentionPruner } from './retention-pruner';
import { RetentionRepository } from './retention.repository';
import { RETENTION_CHANGED, RetentionService } from './retention.service';
import { recordAt, testEntry } from './chain.fixture';

/** A clock the test sets. */
class TestClock extends Clock {
  at: Date | null = null;
  override now(): Date {
    return this.at ?? new Date();
  }
}

describe('integrity: checkpoints, tampering, retention (real Postgres and Kafka)', () => {
  const database = uniqueName('int_integrity');
  const seed = Buffer.alloc(32, 0x21).toString('base64');
  const config = auditConfig(
    auditEnvSchema.parse({
      NODE_ENV: 'test',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      AUDIT_SIGNING_KEY: seed,
      AUDIT_CHECKPOINT_ORIGIN: 'audit.int.test',
      AUDIT_RETENTION_BATCH: '10',
    }),
  );
  const keys = checkpointKeys(config);
  const clock = new TestClock();
  const heads = new ChainHeadsRepository();
  const checkpoints = new CheckpointsRepository();
  const appender = new ChainAppender(heads, new AuditEventsRepository(), clock);
  const writer = new CheckpointWriter(keys, checkpoints, new AuditEventsRepository(), clock);
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'int-integrity' });
  const publisher = new EventPublisher(kafka);
  let dataSource: DataSource;
  let check: IntegrityCheck;
  let scheduler: CheckpointScheduler;
  let pruner: RetentionPruner;
  let retention: RetentionService;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'integrity-int',
    });
    check = new IntegrityCheck(dataSource, heads, checkpoints, keys, clock, config);
    const checkpointPublisher = new CheckpointPublisher(dataSource, checkpoints, publisher, clock);
    scheduler = new CheckpointScheduler(config, dataSource, heads, writer, checkpointPublisher);
    const retentionRepository = new RetentionRepository();
    pruner = new RetentionPruner(config, dataSource, heads, retentionRepository, writer, clock);
    retention = new RetentionService(config, dataSource, retentionRepository, appender, clock);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await dataSource.destroy();
    await dropDatabase(database);
  });

  /** A workspace with `size` records and a checkpoint of them. */
  const recordAtOf = (workspaceId: string, position: number) =>
    recordAt(dataSource, workspaceId, position);

  async function chainOf(size: number): Promise<string> {
    const workspaceId = `ws_${uniqueName('t').replace(/[^0-9A-Za-z]/g, '')}`.slice(0, 60);
    await dataSource.transaction((manager) =>
      appender.append(
        manager,
        Array.from({ length: size }, (_, index) => testEntry(workspaceId, index + 1)),
      ),
    );
    await dataSource.transaction(async (manager) => {
      const head = await heads.find(manager, workspaceId);
      await writer.signLocked(manager, head ? [head] : []);
    });
    return workspaceId;
  }

  const headOf = async (manager: EntityManager, workspaceId: string) => {
    const head = await heads.find(manager, workspaceId);
    if (head === null) throw new Error(`no head for ${workspaceId}`);
    return head;
  };

  const breaksOf = async (workspaceId: string): Promise<Array<[BreakReason, number]>> => {
    const report = await check.run(workspaceId);
    return report.breaks.map((b) => [b.reason, b.position]);
  };

  it('verifies an untouched chain against its signed checkpoint', async () => {
    const workspaceId = await chainOf(8);
    const report = await check.run(workspaceId);
    expect(report).toMatchObject({
      valid: true,
      records: 8,
      expected: { start: 1, size: 8 },
      found: { firstPosition: 1, lastPosition: 8 },
      head: { size: 8, startPosition: 1 },
      checkpoint: { workspaceId, size: 8, sequence: 1, keyId: keys.signer.keyId },
      breaks: [],
    });
    expect(report.found.headHash).toBe(report.checkpoint?.headHash);
  });

  it('detects an UPDATE of a record (modified)', async () => {
    const workspaceId = await chainOf(8);
    await dataSource.query(
      `UPDATE audit_events SET record = replace(record, '"name":"n3"', '"name":"n4"')
        WHERE workspace_id = $1 AND position = 3`,
      [workspaceId],
    );
    const report = await check.run(workspaceId);
    expect(report.valid).toBe(false);
    expect(report.breaks).toEqual([
      expect.objectContaining({
        reason: 'modified',
        position: 3,
        recordId: `evt-${workspaceId}-3`,
      }),
    ]);
  });

  it('detects text rewritten to a non-canonical form (noncanonical)', async () => {
    const workspaceId = await chainOf(5);
    await dataSource.query(
      `UPDATE audit_events SET record = jsonb_pretty(record::jsonb)
        WHERE workspace_id = $1 AND position = 2`,
      [workspaceId],
    );
    expect(await breaksOf(workspaceId)).toEqual([['noncanonical', 2]]);
  });

  it('detects a DELETE of a row (deleted)', async () => {
    const workspaceId = await chainOf(8);
    await dataSource.query(`DELETE FROM audit_events WHERE workspace_id = $1 AND position = 4`, [
      workspaceId,
    ]);
    expect(await breaksOf(workspaceId)).toEqual([['deleted', 4]]);
  });

  it('detects positions shifted to make room for a crafted row (inserted)', async () => {
    const workspaceId = await chainOf(8);
    const original = await recordAtOf(workspaceId, 3);
    const { hash: _hash, ...unhashed } = original;
    const craftedUnhashed: UnhashedAuditRecord = {
      ...unhashed,
      id: 'evt-crafted',
      subject: 'key_crafted',
      after: { name: 'crafted' },
    };
    const crafted: AuditRecord = { ...craftedUnhashed, hash: recordHash(craftedUnhashed) };
    await dataSource.transaction(async (manager) => {
      const shift = `UPDATE audit_events SET position = position + $2 WHERE workspace_id = $1 AND position >= $3`;
      await manager.query(shift, [workspaceId, 1000, 3]);
      await manager.query(shift, [workspaceId, -999, 1003]);
      await manager.query(
        `INSERT INTO audit_events (workspace_id, position, event_id, subject, sequence, type, actor,
                                   key_id, occurred_at, recorded_at, record)
         VALUES ($1, 3, 'evt-crafted', 'key_crafted', 2, $2, 'system', NULL, now(), now(), $3)`,
        [workspaceId, crafted.type, canonicalJson(crafted)],
      );
    });
    const report = await check.run(workspaceId);
    expect(report.breaks).toEqual([
      expect.objectContaining({ reason: 'inserted', position: 3, recordId: 'evt-crafted' }),
    ]);
  });

  it('detects two rows whose positions were swapped (reordered)', async () => {
    const workspaceId = await chainOf(8);
    await dataSource.transaction(async (manager) => {
      const move = `UPDATE audit_events SET position = $3 WHERE workspace_id = $1 AND position = $2`;
      await manager.query(move, [workspaceId, 5, -5]);
      await manager.query(move, [workspaceId, 6, 5]);
      await manager.query(move, [workspaceId, -5, 6]);
    });
    const report = await check.run(workspaceId);
    expect(report.breaks).toEqual([
      expect.objectContaining({
        reason: 'reordered',
        position: 5,
        recordId: `evt-${workspaceId}-5`,
      }),
    ]);
  });

  it('detects the tail deleted, the head row rewritten to match (truncated)', async () => {
    const workspaceId = await chainOf(8);
    const sixth = await recordAtOf(workspaceId, 6);
    await dataSource.query(`DELETE FROM audit_events WHERE workspace_id = $1 AND position > 6`, [
      workspaceId,
    ]);
    await dataSource.query(
      `UPDATE audit_chain_heads SET size = 6, head_hash = $2 WHERE workspace_id = $1`,
      [workspaceId, sixth.hash],
    );
    const report = await check.run(workspaceId);
    expect(report.breaks).toEqual([
      expect.objectContaining({ reason: 'truncated', position: 7, count: 2 }),
    ]);
  });

  it('refuses a checkpoint signed with another key (checkpoint_signature_invalid)', async () => {
    const workspaceId = await chainOf(4);
    const [row]: Array<{ note: string }> = await dataSource.query(
      `SELECT note FROM audit_checkpoints WHERE workspace_id = $1`,
      [workspaceId],
    );
    const text = parseNote(row?.note ?? '').text;
    const impostor = noteSigner(keys.signer.name, generateKeyPairSync('ed25519').privateKey);
    await dataSource.query(`UPDATE audit_checkpoints SET note = $2 WHERE workspace_id = $1`, [
      workspaceId,
      signCheckpoint(parseCheckpointText(text), impostor),
    ]);
    expect(await breaksOf(workspaceId)).toEqual([['checkpoint_signature_invalid', 4]]);
  });

  it("scopes the check to the caller's workspace", async () => {
    const mine = await chainOf(3);
    const theirs = await chainOf(5);
    await dataSource.query(`DELETE FROM audit_events WHERE workspace_id = $1 AND position = 2`, [
      theirs,
    ]);
    const report = await check.run(mine);
    expect(report).toMatchObject({ valid: true, workspaceId: mine, records: 3 });
    expect((await check.run(theirs)).valid).toBe(false);
    expect(await check.run('ws_nobodyhere')).toMatchObject({
      valid: true,
      records: 0,
      head: null,
      checkpoint: null,
    });
  });

  it('runs one check per workspace at a time across replicas, and AUDIT_INTEGRITY_CONCURRENCY per replica', async () => {
    const mine = await chainOf(3);
    const other = await chainOf(3);
    // Another replica's check of `mine` holds the workspace's lock for its transaction.
    const replica = dataSource.createQueryRunner();
    await replica.connect();
    try {
      await replica.startTransaction();
      await replica.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [INTEGRITY_LOCK, mine]);
      const busy = await check.run(mine).catch((error: unknown) => error);
      expect(busy).toBeInstanceOf(IntegrityError);
      expect(busy).toMatchObject({
        code: 'INTEGRITY_CHECK_BUSY',
        details: { retryAfterSeconds: 5 },
      });
      expect(toHttpError(busy)).toMatchObject({
        code: 'UNAVAILABLE', // 503
        details: { reason: 'INTEGRITY_CHECK_BUSY', retryAfterSeconds: 5 },
        headers: { 'retry-after': '5' },
      });
      expect((await check.run(other)).valid).toBe(true);
      await replica.commitTransaction();
    } finally {
      await replica.release();
    }
    expect((await check.run(mine)).valid).toBe(true);

    // One place on this replica: a second check while the first runs is refused, whatever the
    // workspace; once the first is done, the next runs.
    const single = new IntegrityCheck(dataSource, heads, checkpoints, keys, clock, {
      integrity: { concurrency: 1 },
    });
    const first = single.run(mine);
    await expect(single.run(other)).rejects.toMatchObject({ code: 'INTEGRITY_CHECK_BUSY' });
    expect((await first).valid).toBe(true);
    expect((await single.run(other)).valid).toBe(true);
  });

  it('signs every head each round, also unchanged ones, and publishes them; nothing is lost while Kafka is down', async () => {
    const workspaceId = await chainOf(2);
    // Kafka down: a publisher pointed at a closed port fails and marks nothing published.
    const down = new EventPublisher(
      createKafka({ brokers: ['127.0.0.1:1'], clientId: 'int-integrity-down' }),
    );
    const downScheduler = new CheckpointScheduler(
      config,
      dataSource,
      heads,
      writer,
      new CheckpointPublisher(dataSource, checkpoints, down, clock),
    );
    await downScheduler.round();
    await down.disconnect().catch(() => undefined);
    const [pending]: Array<{ count: string }> = await dataSource.query(
      `SELECT count(*) FROM audit_checkpoints WHERE workspace_id = $1 AND published_at IS NULL`,
      [workspaceId],
    );
    expect(Number(pending?.count)).toBe(2);

    const reader = await TopicReader.start(TOPICS.auditCheckpoints);
    try {
      await scheduler.round();
      const published = await Promise.all(
        [1, 2, 3].map((sequence) =>
          reader.waitFor(
            (m) =>
              m.key === workspaceId &&
              (m.json as { sequence?: number } | undefined)?.sequence === sequence,
            20_000,
          ),
        ),
      );
      for (const message of published) {
        const event = CheckpointSignedV1.parse(message.json);
        expect(event.data).toMatchObject({ workspaceId, size: 2, keyId: keys.signer.keyId });
        expect(message.headers['content-type']).toContain('application/cloudevents+json');
      }
      const [left]: Array<{ count: string }> = await dataSource.query(
        `SELECT count(*) FROM audit_checkpoints WHERE published_at IS NULL`,
      );
      expect(Number(left?.count)).toBe(0);
    } finally {
      await reader.stop();
    }
  });

  it('prunes what is older than the retention, moving the start with a checkpoint; verification still passes', async () => {
    const workspaceId = `ws_retention${Date.now()}`;
    clock.at = new Date('2025-01-01T00:00:00.000Z');
    await dataSource.transaction((manager) =>
      appender.append(
        manager,
        Array.from({ length: 25 }, (_, index) => testEntry(workspaceId, index + 1)),
      ),
    );
    clock.at = null;
    await dataSource.query(
      `INSERT INTO usage_windows (stream, sequence, workspace_id, key_id, window_start, window_end,
                                  first_seen_at, last_seen_at, counts, client_addresses)
       VALUES ('s', 1, $1, NULL, '2025-01-01', '2025-01-01', '2025-01-01', '2025-01-01', '{1}', '{}'),
              ('s', 2, $1, NULL, now(), now(), now(), now(), '{1}', '{}')`,
      [workspaceId],
    );
    // Two alerts of last year: the resolved one goes, the one still open stays.
    await dataSource.query(
      `INSERT INTO alerts (id, workspace_id, kind, key_id, status, first_seen_at, last_seen_at,
                           raised_at, resolved_at, counts, client_addresses, details)
       VALUES ($2, $1, 'new-network', 'key_old', 'resolved', '2025-01-01', '2025-01-01',
               '2025-01-01', '2025-01-02', '{}', '{}', '{}'),
              ($3, $1, 'revoked-key-used', 'key_old', 'open', '2025-01-01', '2025-01-01',
               '2025-01-01', NULL, '{}', '{}', '{}')`,
      [workspaceId, `alr_resolved${Date.now()}`, `alr_open${Date.now()}`],
    );
    const changed = await retention.set(workspaceId, 30, {
      keyId: 'key_auditor1',
      clientAddress: '203.0.113.9',
      userAgent: 'int-test',
      requestId: null,
    });
    expect(changed).toMatchObject({ days: 30, isDefault: false });
    expect(await retention.get(workspaceId)).toMatchObject({ days: 30, isDefault: false });
    const change = await recordAtOf(workspaceId, 26);
    expect(change).toMatchObject({
      type: RETENTION_CHANGED,
      actor: 'key:key_auditor1',
      before: { days: 400 },
      after: { days: 30 },
    });
    await dataSource.transaction(async (manager) =>
      writer.signLocked(manager, [await headOf(manager, workspaceId)]),
    );

    const result = await pruner.pruneAll();
    expect(result?.records[workspaceId]).toBe(25);
    expect(result?.rows['usage_windows']).toBeGreaterThanOrEqual(1);
    const [head]: Array<{ start_position: string }> = await dataSource.query(
      `SELECT start_position FROM audit_chain_heads WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(head?.start_position).toBe('26');
    const windows: unknown[] = await dataSource.query(
      `SELECT sequence FROM usage_windows WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(windows).toEqual([{ sequence: '2' }]);
    const alerts: unknown[] = await dataSource.query(
      `SELECT status FROM alerts WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(alerts).toEqual([{ status: 'open' }]);
    const report = await check.run(workspaceId);
    expect(report).toMatchObject({
      valid: true,
      records: 1,
      expected: { start: 26, size: 26 },
      checkpoint: { startPosition: 26, size: 26 },
    });
    // Deleting what is left, without a checkpoint saying so, is still caught.
    await dataSource.query(`DELETE FROM audit_events WHERE workspace_id = $1`, [workspaceId]);
    expect(await breaksOf(workspaceId)).toEqual([['truncated', 26]]);
  });
  it('keeps the deployment floor: the API refuses less, and a row changed by hand prunes nothing younger', async () => {
    const workspaceId = `ws_floor${Date.now()}`;
    await expect(
      retention.set(workspaceId, 29, {
        keyId: 'key_auditor1',
        clientAddress: null,
        userAgent: null,
        requestId: null,
      }),
    ).rejects.toMatchObject({ code: 'RETENTION_TOO_SHORT', details: { minDays: 30 } });
    // Records of 10 days ago, and a retention of 1 day written straight into the table.
    clock.at = new Date(Date.now() - 10 * 86_400_000);
    await dataSource.transaction((manager) =>
      appender.append(
        manager,
        Array.from({ length: 3 }, (_, index) => testEntry(workspaceId, index + 1)),
      ),
    );
    clock.at = null;
    await dataSource.query(
      `INSERT INTO audit_retention (workspace_id, days, sequence, updated_at) VALUES ($1, 1, 1, now())`,
      [workspaceId],
    );
    const result = await pruner.pruneAll();
    expect(result?.records[workspaceId]).toBeUndefined();
    const [count] = await dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(count).toEqual({ n: 3 });
  });
});
