import { type DataSource } from 'typeorm';
import { canonicalJson, recordHash } from '@keyway/audit-chain';
import { type BreakReason } from '@keyway/contracts';
import { openDatabase } from '@keyway/platform-database';
import { createKafka, EventPublisher } from '@keyway/platform-kafka';
import { dropDatabase, kafkaBrokers, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
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
import { IntegrityCheck } from './integrity-check';
import { RetentionPruner } from './retention-pruner';
import { RetentionRepository } from './retention.repository';
import { recordAt, testEntry } from './chain.fixture';

/**
 * Tampering by SQL must not be laundered by the next signing round: the signer refuses a head
 * that does not extend the last checkpoint, so the integrity check keeps reporting the break.
 */
describe('checkpoints only extend the previous one (real Postgres)', () => {
  const database = uniqueName('int_ckpt_consistency');
  const config = auditConfig(
    auditEnvSchema.parse({
      NODE_ENV: 'test',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      AUDIT_SIGNING_KEY: Buffer.alloc(32, 0x33).toString('base64'),
      AUDIT_CHECKPOINT_ORIGIN: 'audit.int.test',
      AUDIT_RETENTION_BATCH: '10',
    }),
  );
  const keys = checkpointKeys(config);
  const clock = new Clock();
  const heads = new ChainHeadsRepository();
  const checkpoints = new CheckpointsRepository();
  const events = new AuditEventsRepository();
  const appender = new ChainAppender(heads, events, clock);
  const writer = new CheckpointWriter(keys, checkpoints, events, clock);
  const publisher = new EventPublisher(
    createKafka({ brokers: kafkaBrokers(), clientId: 'int-ckpt-consistency' }),
  );
  let dataSource: DataSource;
  let check: IntegrityCheck;
  let scheduler: CheckpointScheduler;
  let pruner: RetentionPruner;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'ckpt-consistency-int',
    });
    check = new IntegrityCheck(dataSource, heads, checkpoints, keys, clock, config);
    const checkpointPublisher = new CheckpointPublisher(dataSource, checkpoints, publisher, clock);
    scheduler = new CheckpointScheduler(config, dataSource, heads, writer, checkpointPublisher);
    pruner = new RetentionPruner(
      config,
      dataSource,
      heads,
      new RetentionRepository(),
      writer,
      clock,
    );
  });

  afterAll(async () => {
    await publisher.disconnect();
    await dataSource.destroy();
    await dropDatabase(database);
  });

  const recordAtOf = (workspaceId: string, position: number) =>
    recordAt(dataSource, workspaceId, position);

  async function chainOf(size: number): Promise<string> {
    const workspaceId = `ws_${uniqueName('c').replace(/[^0-9A-Za-z]/g, '')}`.slice(0, 60);
    await dataSource.transaction((manager) =>
      appender.append(
        manager,
        Array.from({ length: size }, (_, index) => testEntry(workspaceId, index + 1)),
      ),
    );
    await scheduler.checkpointAll();
    return workspaceId;
  }

  const reasonsOf = async (workspaceId: string): Promise<BreakReason[]> =>
    (await check.run(workspaceId)).breaks.map((b) => b.reason);

  it('a truncated tail stays truncated after the next signing round', async () => {
    const workspaceId = await chainOf(8);
    const sixth = await recordAtOf(workspaceId, 6);
    await dataSource.query(`DELETE FROM audit_events WHERE workspace_id = $1 AND position > 6`, [
      workspaceId,
    ]);
    await dataSource.query(
      `UPDATE audit_chain_heads SET size = 6, head_hash = $2 WHERE workspace_id = $1`,
      [workspaceId, sixth.hash],
    );
    await scheduler.checkpointAll();
    expect(await reasonsOf(workspaceId)).toEqual(['truncated']);
  });

  it('a chain rewritten from a position on, hashes recomputed, stays broken after the next round', async () => {
    const workspaceId = await chainOf(6);
    let prevHash = (await recordAtOf(workspaceId, 2)).hash;
    for (let position = 3; position <= 6; position += 1) {
      const { hash: _hash, ...record } = await recordAtOf(workspaceId, position);
      const forged = { ...record, prevHash, after: { name: 'forged' } };
      const hash = recordHash(forged);
      await dataSource.query(
        `UPDATE audit_events SET record = $3 WHERE workspace_id = $1 AND position = $2`,
        [workspaceId, position, canonicalJson({ ...forged, hash })],
      );
      prevHash = hash;
    }
    await dataSource.query(`UPDATE audit_chain_heads SET head_hash = $2 WHERE workspace_id = $1`, [
      workspaceId,
      prevHash,
    ]);
    await scheduler.checkpointAll();
    expect(await reasonsOf(workspaceId)).toContain('checkpoint_mismatch');
  });

  it('a front deleted without retention stays truncated after the next round', async () => {
    const workspaceId = await chainOf(6);
    const third = await recordAtOf(workspaceId, 3);
    await dataSource.query(`DELETE FROM audit_events WHERE workspace_id = $1 AND position <= 3`, [
      workspaceId,
    ]);
    await dataSource.query(
      `UPDATE audit_chain_heads SET start_position = 4, start_prev_hash = $2 WHERE workspace_id = $1`,
      [workspaceId, third.hash],
    );
    await scheduler.checkpointAll();
    expect(await reasonsOf(workspaceId)).toEqual(['truncated']);
  });

  it('untouched chains keep being signed, growing, and pruned by retention', async () => {
    const workspaceId = await chainOf(4);
    await dataSource.transaction((manager) =>
      appender.append(manager, [testEntry(workspaceId, 5), testEntry(workspaceId, 6)]),
    );
    await scheduler.checkpointAll();
    expect(await check.run(workspaceId)).toMatchObject({ valid: true, checkpoint: { size: 6 } });
    await pruner.pruneTrail(workspaceId, new Date(Date.now() + 60_000));
    await scheduler.checkpointAll();
    expect(await check.run(workspaceId)).toMatchObject({
      valid: true,
      records: 0,
      checkpoint: { size: 6, startPosition: 7 },
    });
  });
  it('retention does not prune records whose recorded_at column was backdated by SQL', async () => {
    const workspaceId = await chainOf(6);
    await dataSource.query(
      `UPDATE audit_events SET recorded_at = '2000-01-01' WHERE workspace_id = $1 AND position <= 3`,
      [workspaceId],
    );
    await pruner.pruneAll();
    expect(await check.run(workspaceId)).toMatchObject({ valid: true, records: 6 });
  });

  it('retention does not prune records whose recordedAt was rewritten, hashes recomputed', async () => {
    const workspaceId = await chainOf(6);
    let prevHash = (await recordAtOf(workspaceId, 1)).prevHash;
    for (let position = 1; position <= 3; position += 1) {
      const { hash: _hash, ...record } = await recordAtOf(workspaceId, position);
      const forged = { ...record, prevHash, recordedAt: '2000-01-01T00:00:00.000Z' };
      const hash = recordHash(forged);
      await dataSource.query(
        `UPDATE audit_events SET record = $3, recorded_at = '2000-01-01'
          WHERE workspace_id = $1 AND position = $2`,
        [workspaceId, position, canonicalJson({ ...forged, hash })],
      );
      prevHash = hash;
    }
    await pruner.pruneAll();
    const report = await check.run(workspaceId);
    expect(report.records).toBe(6);
    expect(report.breaks.map((b) => b.reason)).toContain('modified');
  });
});
