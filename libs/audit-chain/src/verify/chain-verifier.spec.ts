import { GENESIS_HASH, type AuditRecord, type UnhashedAuditRecord } from '@keyway/contracts';
import {
  type BreakReason,
  canonicalJson,
  type Checkpoint,
  ChainVerifier,
  type ChainVerifierOptions,
  recordHash,
} from '../index';

const WS = 'ws_chain1';

/** The item at `index`, which the test knows is there. */
function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`nothing at ${index}`);
  return item;
}

function makeChain(size: number, workspaceId = WS, from = 1, prev = GENESIS_HASH): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prevHash = prev;
  for (let position = from; position < from + size; position += 1) {
    const unhashed: UnhashedAuditRecord = {
      workspaceId,
      position,
      id: `evt-${workspaceId}-${position}`,
      type: 'keyway.key.updated.v1',
      subject: `key_${position}`,
      sequence: 2,
      time: '2026-01-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:01.000Z',
      actor: 'system',
      clientAddress: null,
      userAgent: null,
      correlationId: null,
      keyId: `key_${position}`,
      before: { name: 'old' },
      after: { name: `new ${position}` },
      prevHash,
    };
    const record = { ...unhashed, hash: recordHash(unhashed) };
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

const texts = (records: readonly AuditRecord[]) => records.map((record) => canonicalJson(record));

const checkpointOf = (records: readonly AuditRecord[], start = 1): Checkpoint => {
  const last = records[records.length - 1];
  const before = records.find((record) => record.position === start - 1);
  return {
    originPrefix: 'audit.test',
    workspaceId: WS,
    size: last?.position ?? 0,
    headHash: last?.hash ?? GENESIS_HASH,
    startPosition: start,
    startPrevHash: start === 1 ? GENESIS_HASH : (before?.hash ?? GENESIS_HASH),
    time: '2026-01-01T00:01:00.000Z',
  };
};

function verify(lines: readonly string[], options: Partial<ChainVerifierOptions> = {}) {
  const verifier = new ChainVerifier({ workspaceId: WS, checkpoints: [], ...options });
  for (const line of lines) verifier.push(line);
  return verifier.finish();
}

const summary = (report: ReturnType<typeof verify>) =>
  report.breaks.map((b) => [b.reason, b.position] as [BreakReason, number]);

/** A record rewritten by someone who knows the algorithm: its hash recomputed. */
function forged(record: AuditRecord, change: Partial<UnhashedAuditRecord>): AuditRecord {
  const { hash: _hash, ...rest } = record;
  const unhashed = { ...rest, ...change };
  return { ...unhashed, hash: recordHash(unhashed) };
}

describe('ChainVerifier', () => {
  const chain = makeChain(10);
  const lines = texts(chain);
  const checkpoints = [checkpointOf(chain)];

  it('accepts an untouched chain, against its checkpoint', () => {
    const report = verify(lines, { checkpoints });
    expect(report).toMatchObject({
      valid: true,
      records: 10,
      firstPosition: 1,
      lastPosition: 10,
      headHash: at(chain, 9).hash,
      expectedSize: 10,
      breaks: [],
    });
    expect(verify([], {}).valid).toBe(true);
  });

  it('modified: a record whose text changed (hash mismatch), naming it', () => {
    const changed = [...lines];
    changed[3] = at(changed, 3).replace('"new 4"', '"new 5"');
    const report = verify(changed, { checkpoints });
    expect(summary(report)).toEqual([['modified', 4]]);
    expect(report.breaks[0]).toMatchObject({ recordId: 'evt-ws_chain1-4', line: 4 });
  });

  it('modified: a record rewritten with its hash recomputed (the next one no longer links)', () => {
    const changed = [...lines];
    changed[3] = canonicalJson(forged(at(chain, 3), { after: { name: 'forged' } }));
    expect(summary(verify(changed, { checkpoints }))).toEqual([['modified', 4]]);
  });

  it('checkpoint_mismatch: the last record rewritten with its hash recomputed', () => {
    const changed = [...lines];
    changed[9] = canonicalJson(forged(at(chain, 9), { after: { name: 'forged' } }));
    expect(summary(verify(changed, { checkpoints }))).toEqual([['checkpoint_mismatch', 10]]);
    // Without a checkpoint, the head row still tells.
    const head = { size: 10, headHash: at(chain, 9).hash };
    expect(summary(verify(changed, { storedHead: head }))).toEqual([['modified', 10]]);
  });

  it('checkpoint_mismatch: the whole chain rewritten from a position on', () => {
    const rewritten = chain.slice(0, 4);
    for (const record of chain.slice(4)) {
      const prevHash = at(rewritten, rewritten.length - 1).hash;
      rewritten.push(forged(record, { prevHash, after: { name: 'rewritten' } }));
    }
    const report = verify(texts(rewritten), { checkpoints });
    expect(summary(report)).toEqual([['checkpoint_mismatch', 10]]);
  });

  it('noncanonical: the stored text is not its own canonical form (same content)', () => {
    const changed = [...lines];
    changed[2] = JSON.stringify(JSON.parse(at(changed, 2)), null, 1);
    expect(summary(verify(changed, { checkpoints }))).toEqual([['noncanonical', 3]]);
  });

  it('modified: text that is not a record', () => {
    const changed = [...lines];
    changed[4] = 'garbage';
    const report = verify(changed, { checkpoints });
    expect(summary(report)).toEqual([['modified', 5]]);
  });

  it('deleted: a missing position in the middle, as one range', () => {
    const changed = lines.filter((_line, index) => index !== 4 && index !== 5);
    const report = verify(changed, { checkpoints });
    expect(summary(report)).toEqual([['deleted', 5]]);
    expect(report.breaks[0]?.count).toBe(2);
  });

  it('truncated: the tail deleted (the chain ends before the checkpoint)', () => {
    const report = verify(lines.slice(0, 7), { checkpoints });
    expect(summary(report)).toEqual([['truncated', 8]]);
    expect(report.breaks[0]?.count).toBe(3);
    // The head row alone tells too, when no checkpoint covers the tail.
    const head = { size: 10, headHash: at(chain, 9).hash };
    expect(summary(verify(lines.slice(0, 7), { storedHead: head }))).toEqual([['truncated', 8]]);
  });

  it('truncated: the first records deleted without a checkpoint moving the start', () => {
    expect(summary(verify(lines.slice(2), { checkpoints }))).toEqual([['truncated', 1]]);
  });

  it('accepts a start moved by retention when a checkpoint says so', () => {
    const pruned = [checkpointOf(chain, 4)];
    expect(verify(lines.slice(3), { checkpoints: pruned }).valid).toBe(true);
    // ... but not a chain starting later still, nor one whose start does not link.
    expect(summary(verify(lines.slice(5), { checkpoints: pruned }))).toEqual([['truncated', 4]]);
    const other = makeChain(7, WS, 4, 'f'.repeat(64));
    expect(summary(verify(texts(other), { checkpoints: pruned }))).toContainEqual([
      'checkpoint_mismatch',
      4,
    ]);
  });

  it('inserted: positions shifted to make room for a crafted record', () => {
    const crafted = forged(at(chain, 4), { id: 'evt-crafted', after: { name: 'crafted' } });
    // Rows 5..10 moved to 6..11 in the table; their texts keep their positions.
    const changed = [...lines.slice(0, 4), canonicalJson(crafted), ...lines.slice(4)];
    const report = verify(changed, { checkpoints });
    expect(summary(report)).toEqual([['inserted', 5]]);
    expect(report.breaks[0]).toMatchObject({ recordId: 'evt-crafted', line: 5 });
    // Crafted after the original, the same.
    const after = [...lines.slice(0, 5), canonicalJson(crafted), ...lines.slice(5)];
    expect(verify(after, { checkpoints }).breaks).toMatchObject([
      { reason: 'inserted', position: 5, recordId: 'evt-crafted' },
    ]);
  });

  it('inserted: a crafted record at the end, beyond the head audit recorded', () => {
    const extra = forged(at(makeChain(1, WS, 11, at(chain, 9).hash), 0), {});
    const head = { size: 10, headHash: at(chain, 9).hash };
    const changed = [...lines, canonicalJson(extra)];
    expect(summary(verify(changed, { checkpoints, storedHead: head }))).toEqual([['inserted', 11]]);
  });

  it('inserted: a record of another workspace, or a copy of an earlier one', () => {
    const foreign = canonicalJson(at(makeChain(1, 'ws_other'), 0));
    expect(
      summary(verify([...lines.slice(0, 3), foreign, ...lines.slice(3)], { checkpoints })),
    ).toEqual([['inserted', 1]]);
    expect(
      summary(verify([...lines.slice(0, 6), at(lines, 1), ...lines.slice(6)], { checkpoints })),
    ).toEqual([['inserted', 2]]);
  });

  it('reordered: two adjacent rows swapped', () => {
    const changed = [...lines];
    [changed[3], changed[4]] = [at(changed, 4), at(changed, 3)];
    const report = verify(changed, { checkpoints });
    expect(summary(report)).toEqual([['reordered', 4]]);
    expect(report.breaks[0]).toMatchObject({ recordId: 'evt-ws_chain1-4', line: 5 });
  });

  it('reordered: two distant rows swapped; the first bad position is named first', () => {
    const changed = [...lines];
    [changed[1], changed[7]] = [at(changed, 7), at(changed, 1)];
    const report = verify(changed, { checkpoints });
    expect(report.breaks.every((b) => b.reason === 'reordered')).toBe(true);
    expect(report.breaks[0]?.position).toBe(2);
  });

  it('checkpoint_mismatch: two signed checkpoints disagreeing on a position', () => {
    const forgedHead = { ...checkpointOf(chain), headHash: 'e'.repeat(64) };
    const report = verify(lines, { checkpoints: [...checkpoints, forgedHead] });
    expect(summary(report)).toContainEqual(['checkpoint_mismatch', 10]);
  });

  it('reports every break, each once, sorted by position', () => {
    const changed = [...lines];
    changed[1] = at(changed, 1).replace('"new 2"', '"NEW 2"');
    changed.splice(5, 1);
    const report = verify(changed.slice(0, 7), { checkpoints });
    expect(summary(report)).toEqual([
      ['modified', 2],
      ['deleted', 6],
      ['truncated', 9],
    ]);
  });
});
