import { AUDIT_CSV_COLUMNS, type AuditRecord, GENESIS_HASH } from '@keyway/contracts';
import { canonicalJson } from '@keyway/audit-chain';
import { csvEncoder, ndjsonEncoder, ocsfTrailEncoder } from './export-encoders';
import { encodedChunks } from './export-stream';

const record: AuditRecord = {
  workspaceId: 'ws_1',
  position: 1,
  id: 'e1',
  type: 'keyway.key.issued.v1',
  subject: 'key_1',
  sequence: 1,
  time: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:00.100Z',
  actor: 'system',
  clientAddress: null,
  userAgent: '=HYPERLINK("http://evil")',
  correlationId: null,
  keyId: 'key_1',
  before: null,
  after: { name: 'a,"b"\nc', scopes: ['x:read'] },
  prevHash: GENESIS_HASH,
  hash: 'b'.repeat(64),
};
const rows = [
  { record: canonicalJson(record) },
  { record: canonicalJson({ ...record, position: 2 }) },
];

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('export encoders', () => {
  it('NDJSON: each line is the stored record text, exactly', async () => {
    const text = await collect(encodedChunks(from(rows), ndjsonEncoder, 1));
    expect(text).toBe(`${rows[0]?.record}\n${rows[1]?.record}\n`);
  });

  it('CSV: the contract columns, nulls empty, before/after canonical JSON, formulas defused', async () => {
    const text = await collect(encodedChunks(from(rows), csvEncoder, 1));
    const lines = text.split('\n');
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    // JSON escapes the name's newline; its comma and quotes are quoted the RFC 4180 way.
    const after = `"${canonicalJson(record.after).replaceAll('"', '""')}"`;
    expect(lines[1]).toBe(
      [
        '1,e1,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.100Z,keyway.key.issued.v1,key_1,1,ws_1',
        `system,key_1,,"'=HYPERLINK(""http://evil"")",,,${after}`,
        `${GENESIS_HASH},${record.hash}`,
      ].join(','),
    );
    expect(lines[2]?.startsWith('2,e1,')).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it('CSV: the header alone when nothing matches', async () => {
    expect(await collect(encodedChunks(from([]), csvEncoder))).toBe(
      `${AUDIT_CSV_COLUMNS.join(',')}\n`,
    );
  });

  it('encodes the same rows to the same bytes whatever the batching', async () => {
    for (const encoder of [ndjsonEncoder, csvEncoder, ocsfTrailEncoder]) {
      const one = await collect(encodedChunks(from(rows), encoder, 1));
      const all = await collect(encodedChunks(from(rows), encoder, 100));
      expect(all).toBe(one);
    }
  });
});
