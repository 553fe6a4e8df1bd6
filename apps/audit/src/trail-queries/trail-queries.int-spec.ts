import { type Readable } from 'node:stream';
import { type DataSource } from 'typeorm';
import { type AuditRecord, KEY_EVENT_TYPES } from '@keyway/contracts';
import { openDatabase } from '@keyway/platform-database';
import {
  dropDatabase,
  expectEventually,
  postgresFromEnv,
  uniqueName,
} from '@keyway/platform-testing';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { ChainAppender, type ChainEntry } from '../chain/chain-appender';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { type AuditConfig } from '../config';
import { AUDIT_MIGRATIONS } from '../migrations';
import { ExportConnections } from './export/export-connections';
import { ExportAuditEvents, type ExportAuditEventsCommand } from './export-audit-events';
import { ListAuditEvents, type ListAuditEventsCommand } from './list-audit-events';
import { TrailQueryError, TrailQueryErrorCode } from './trail-query.errors';

const WS = 'ws_queries';
const OTHER = 'ws_other';
const TYPES = [KEY_EVENT_TYPES.issued, KEY_EVENT_TYPES.updated, KEY_EVENT_TYPES.revoked];
const ACTORS = ['member:mem_a', 'key:key_admin', 'system'];

/** 60 records in WS over 3 keys, types and actors, a minute apart; 5 in OTHER. */
function entries(workspaceId: string, count: number, keyPrefix: string): ChainEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    workspaceId,
    id: `${workspaceId}-${i}`,
    type: TYPES[i % 3] ?? KEY_EVENT_TYPES.issued,
    subject: `${keyPrefix}${i % 3}`,
    sequence: Math.floor(i / 3) + 1,
    time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    actor: ACTORS[Math.floor(i / 2) % 3] ?? 'system',
    clientAddress: '198.51.100.7',
    userAgent: 'curl/8',
    correlationId: null,
    keyId: `${keyPrefix}${i % 3}`,
    before: i % 3 === 0 ? null : { status: 'active' },
    after: { status: i % 3 === 2 ? 'revoked' : 'active', n: i },
  }));
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

describe('audit trail queries and exports (real Postgres)', () => {
  const database = uniqueName('int_audit_q');
  let dataSource: DataSource;
  let list: ListAuditEvents;
  let events: AuditEventsRepository;
  let connections: ExportConnections;
  let exporter: ExportAuditEvents;
  let stored: AuditRecord[];

  const page = (command: Partial<ListAuditEventsCommand>) =>
    list.execute(WS, { order: 'desc', limit: 50, ...command });
  async function all(command: Partial<ListAuditEventsCommand>): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let cursor: string | undefined;
    for (;;) {
      const result = await page({ ...command, ...(cursor === undefined ? {} : { cursor }) });
      records.push(...result.data);
      if (result.nextCursor === null) return records;
      cursor = result.nextCursor;
    }
  }
  const exportText = async (command: Partial<ExportAuditEventsCommand>, workspaceId = WS) =>
    text(
      (await exporter.execute(workspaceId, { format: 'ndjson', source: 'trail', ...command })).body,
    );

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'audit-int',
    });
    events = new AuditEventsRepository();
    const appender = new ChainAppender(new ChainHeadsRepository(), events, new Clock());
    await dataSource.transaction((manager) =>
      appender.append(manager, [...entries(WS, 60, 'key_q'), ...entries(OTHER, 5, 'key_o')]),
    );
    list = new ListAuditEvents(dataSource, events);
    const config = {
      postgres: { ...postgresFromEnv(), database, poolSize: 1 },
      exports: { connections: 1, waitMs: 300 },
    } as unknown as AuditConfig;
    connections = new ExportConnections(config);
    exporter = new ExportAuditEvents(connections);
    const rows: Array<{ record: string }> = await dataSource.query(
      `SELECT record FROM audit_events WHERE workspace_id = $1 ORDER BY position`,
      [WS],
    );
    stored = rows.map((row) => JSON.parse(row.record) as AuditRecord);
  });

  afterAll(async () => {
    await connections.onModuleDestroy();
    await dataSource.destroy();
    await dropDatabase(database);
  });

  it('pages through the whole trail, newest first, or oldest first, each record once', async () => {
    const first = await page({ limit: 7 });
    expect(first.data.map((r) => r.position)).toEqual([60, 59, 58, 57, 56, 55, 54]);
    expect(first.nextCursor).not.toBeNull();
    expect((await all({ limit: 7 })).map((r) => r.position)).toEqual(
      stored.map((r) => r.position).reverse(),
    );
    expect(await all({ limit: 11, order: 'asc' })).toEqual(stored);
    expect((await page({ limit: 60 })).nextCursor).toBeNull();
  });

  it('filters by key, actor, one or several types and an event-time range, alone or together', async () => {
    const cases: Array<[Partial<ListAuditEventsCommand>, (r: AuditRecord) => boolean]> = [
      [{ keyId: 'key_q1' }, (r) => r.keyId === 'key_q1'],
      [{ actor: 'system' }, (r) => r.actor === 'system'],
      [{ type: [KEY_EVENT_TYPES.revoked] }, (r) => r.type === KEY_EVENT_TYPES.revoked],
      [
        { type: [KEY_EVENT_TYPES.issued, KEY_EVENT_TYPES.revoked] },
        (r) => r.type !== KEY_EVENT_TYPES.updated,
      ],
      [
        { from: '2026-01-01T00:10:00.000Z', to: '2026-01-01T00:20:00.000Z' },
        (r) => r.time >= '2026-01-01T00:10:00.000Z' && r.time < '2026-01-01T00:20:00.000Z',
      ],
      [
        { keyId: 'key_q2', actor: 'key:key_admin', from: '2026-01-01T00:30:00.000Z' },
        (r) =>
          r.keyId === 'key_q2' &&
          r.actor === 'key:key_admin' &&
          r.time >= '2026-01-01T00:30:00.000Z',
      ],
    ];
    for (const [filter, keep] of cases) {
      const expected = stored.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(await all({ ...filter, limit: 4, order: 'asc' })).toEqual(expected);
      expect((await all({ ...filter, limit: 3 })).map((r) => r.position)).toEqual(
        expected.map((r) => r.position).reverse(),
      );
      // With a window of a few rows, combined filters take the query's second way (every match,
      // then the top positions): the same pages.
      for (const order of ['asc', 'desc'] as const) {
        const positions: number[] = [];
        let after: number | null = null;
        for (;;) {
          const rows = await events.findPage(dataSource.manager, WS, filter, {
            order,
            after,
            limit: 4,
            nearWindow: 3,
          });
          positions.push(...rows.map((row) => row.position));
          if (rows.length < 4) break;
          after = rows[3]?.position ?? null;
        }
        const wanted = expected.map((r) => r.position);
        expect(positions).toEqual(order === 'asc' ? wanted : wanted.reverse());
      }
    }
  });

  it("answers another workspace's key as unknown (404), and an unknown cursor as bad input", async () => {
    await expect(page({ keyId: 'key_o1' })).rejects.toMatchObject({
      code: TrailQueryErrorCode.AUDIT_KEY_NOT_FOUND,
    });
    await expect(page({ keyId: 'key_nope' })).rejects.toBeInstanceOf(TrailQueryError);
    await expect(exportText({ keyId: 'key_o1' })).rejects.toMatchObject({
      code: TrailQueryErrorCode.AUDIT_KEY_NOT_FOUND,
    });
    const { nextCursor } = await page({ limit: 2 });
    await expect(page({ cursor: nextCursor ?? '', order: 'asc' })).rejects.toMatchObject({
      code: TrailQueryErrorCode.INVALID_CURSOR,
    });
    await expect(page({ cursor: 'bm9wZQ' })).rejects.toMatchObject({
      code: TrailQueryErrorCode.INVALID_CURSOR,
    });
    // Nothing of the other workspace leaks through any filter.
    expect((await all({ actor: 'system' })).every((r) => r.workspaceId === WS)).toBe(true);
  });

  it('exports NDJSON as the stored record texts in chain order, byte for byte, every time', async () => {
    const rows: Array<{ record: string }> = await dataSource.query(
      `SELECT record FROM audit_events WHERE workspace_id = $1 ORDER BY position`,
      [WS],
    );
    const ndjson = await exportText({});
    expect(ndjson).toBe(rows.map((row) => `${row.record}\n`).join(''));
    expect(await exportText({})).toBe(ndjson);
    const filtered = await exportText({ keyId: 'key_q0', type: [KEY_EVENT_TYPES.issued] });
    expect(filtered.trimEnd().split('\n')).toHaveLength(20);
    const other = await exportText({}, OTHER);
    expect(
      other
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as AuditRecord).workspaceId),
    ).toEqual(Array(5).fill(OTHER));
  });

  it('exports CSV and OCSF with stable bytes, one row or event per record', async () => {
    for (const format of ['csv', 'ocsf'] as const) {
      const first = await exportText({ format });
      expect(await exportText({ format })).toBe(first);
      expect(first.trimEnd().split('\n')).toHaveLength(format === 'csv' ? 61 : 60);
    }
    const ocsf = (await exportText({ format: 'ocsf', keyId: 'key_q2' }))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ocsf.every((event) => event['type_uid'] === 300409)).toBe(true);
  });

  it('exports usage windows as OCSF API Activity, scoped to the workspace', async () => {
    await dataSource.query(
      `INSERT INTO usage_windows (stream, sequence, workspace_id, key_id, window_start, window_end,
                                  first_seen_at, last_seen_at, counts, client_addresses)
       VALUES ('gw', 1, $1, 'key_q0', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z',
               '2026-01-01T00:00:00.1Z', '2026-01-01T00:00:00.9Z', '{3,0,0,1,0,0,0,0,0,0}', '{198.51.100.7}'),
              ('gw', 2, $2, 'key_o0', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z',
               '2026-01-01T00:00:00.1Z', '2026-01-01T00:00:00.9Z', '{1,0,0,0,0,0,0,0,0,0}', '{}')`,
      [WS, OTHER],
    );
    const lines = (await exportText({ format: 'ocsf', source: 'usage' })).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
      { class_uid: 6003, count: 3, status_code: 'VALID', src_endpoint: { ip: '198.51.100.7' } },
      { class_uid: 6003, count: 1, status_code: 'REVOKED', metadata: { uid: 'gw:1:REVOKED' } },
    ]);
    expect(await exportText({ format: 'ocsf', source: 'usage', keyId: 'key_q1' })).toBe('');
  });

  it('stops the query when the client goes away, and refuses an export no connection is free for', async () => {
    const exported = await exporter.execute(WS, { format: 'csv', source: 'trail' });
    // The single export connection is taken: another export waits, then is refused.
    await expect(exporter.execute(WS, { format: 'ndjson', source: 'trail' })).rejects.toMatchObject(
      { code: TrailQueryErrorCode.EXPORT_BUSY },
    );
    const iterator = exported.body[Symbol.asyncIterator]();
    await iterator.next();
    exported.body.destroy();
    await expectEventually(async () => {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'keyway-audit-export'`,
        [database],
      );
      expect(rows).toHaveLength(0);
    });
    expect(await exportText({})).toContain('"position":60');
  });
});
