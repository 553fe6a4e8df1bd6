import { type DataSource } from 'typeorm';
import { openDatabase } from '@keyway/platform-database';
import { PoisonMessage } from '@keyway/platform-kafka';
import { dropDatabase, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
import { AuditRecord, CloudEventEnvelope, GENESIS_HASH } from '@keyway/contracts';
import { recordHash } from '@keyway/audit-chain';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { ChainAppender } from '../chain/chain-appender';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { AUDIT_MIGRATIONS } from '../migrations';
import { AuditTrailConsumer } from './audit-trail.consumer';
import { AuditTrailRepository } from './audit-trail.repository';

const event = {
  specversion: '1.0',
  id: '0194bb7e-1c2d-7a3b-8c4d-5e6f7a8b9c0d',
  source: '/keyway/identity',
  type: 'keyway.key.revoked.v1',
  subject: 'key_audit1',
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  workspaceid: 'ws_audit',
  sequence: 2,
  actor: 'system',
  data: { reason: null, revokedAt: '2026-01-01T00:00:00.000Z' },
};

describe('audit trail (real Postgres)', () => {
  const database = uniqueName('int_audit');
  let dataSource: DataSource;
  let repository: AuditTrailRepository;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'audit-int',
    });
    repository = new AuditTrailRepository(
      dataSource,
      new ChainAppender(new ChainHeadsRepository(), new AuditEventsRepository(), new Clock()),
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(database);
  });

  it('records an event once per (subject, sequence), however often it is delivered', async () => {
    const parsed = { ...CloudEventEnvelope.parse(event), workspaceid: 'ws_audit' };
    expect(await repository.recordOnce(parsed)).toBe(true);
    expect(await repository.recordOnce(parsed)).toBe(false);
    expect(
      await repository.recordOnce({ ...parsed, id: '0194bb7e-1c2d-7a3b-8c4d-5e6f7a8b9c0e' }),
    ).toBe(false);
    const rows = await dataSource.query(`SELECT subject, sequence, type FROM audit_events`);
    expect(rows).toEqual([{ subject: 'key_audit1', sequence: 2, type: 'keyway.key.revoked.v1' }]);
  });

  it('chains records per workspace: positions without gaps, each hash covering the one before', async () => {
    const parsed = { ...CloudEventEnvelope.parse(event), workspaceid: 'ws_chain' };
    for (const sequence of [1, 2, 3]) {
      await repository.recordOnce({ ...parsed, subject: 'key_chain', sequence });
    }
    const rows: Array<{ position: string; record: string }> = await dataSource.query(
      `SELECT position, record FROM audit_events WHERE workspace_id = 'ws_chain' ORDER BY position`,
    );
    const records = rows.map((row) => AuditRecord.parse(JSON.parse(row.record)));
    expect(records.map((record) => [record.position, record.sequence])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    let previous = GENESIS_HASH;
    for (const record of records) {
      expect(record.prevHash).toBe(previous);
      expect(recordHash(record)).toBe(record.hash);
      previous = record.hash;
    }
    const [head] = await dataSource.query(
      `SELECT size, head_hash FROM audit_chain_heads WHERE workspace_id = 'ws_chain'`,
    );
    expect(head).toEqual({ size: '3', head_hash: previous });
  });

  it('parks messages that are not Keyway CloudEvents', async () => {
    const consumer = Object.create(AuditTrailConsumer.prototype) as AuditTrailConsumer;
    Object.assign(consumer, { trail: repository });
    const message = { topic: 'keyway.keys.v1', partition: 0, offset: '1', key: null };
    await expect(consumer.handle({ ...message, value: 'not json' })).rejects.toBeInstanceOf(
      PoisonMessage,
    );
    await expect(
      consumer.handle({ ...message, value: '{"specversion":"0.3"}' }),
    ).rejects.toBeInstanceOf(PoisonMessage);
  });
});
