import { createHash } from 'node:crypto';
import { GENESIS_HASH, type UnhashedAuditRecord } from '@keyway/contracts';
import { canonicalJson, NotCanonicalizable, recordHash } from './index';

const record: UnhashedAuditRecord = {
  workspaceId: 'ws_1',
  position: 1,
  id: '0194bb7e-1c2d-7a3b-8c4d-5e6f7a8b9c0d',
  type: 'keyway.key.revoked.v1',
  subject: 'key_1',
  sequence: 2,
  time: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:00.100Z',
  actor: 'member:mem_1',
  clientAddress: '198.51.100.7',
  userAgent: 'curl/8',
  correlationId: null,
  keyId: 'key_1',
  before: { status: 'active' },
  after: { status: 'revoked', reason: 'leaked' },
  prevHash: GENESIS_HASH,
};

describe('canonical JSON (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and writes numbers as ECMAScript does', () => {
    // RFC 8785 §3.2.3's sorting example and §3.2.2.3's number forms.
    expect(canonicalJson({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '1': 'One' })).toBe(
      '{"\\r":"Carriage Return","1":"One","€":"Euro Sign"}',
    );
    expect(canonicalJson([1e21, 1e-7, -0, 333333333.3333333, 4.5])).toBe(
      '[1e+21,1e-7,0,333333333.3333333,4.5]',
    );
    expect(canonicalJson({ b: [true, null], a: 'é\u001f"' })).toBe(
      '{"a":"é\\u001f\\"","b":[true,null]}',
    );
  });

  it('refuses what it cannot encode instead of hashing something else', () => {
    expect(() => canonicalJson({ a: '\uD800' })).toThrow(NotCanonicalizable);
    expect(() => canonicalJson({ ['\uDC00']: 1 })).toThrow(NotCanonicalizable);
    expect(() => canonicalJson([Number.NaN])).toThrow(NotCanonicalizable);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(NotCanonicalizable);
    expect(canonicalJson({ a: '\uD83D\uDE00' })).toBe('{"a":"😀"}');
  });
});

describe('recordHash', () => {
  it('is SHA-256 of the canonical record without its hash', () => {
    const expected = createHash('sha256').update(canonicalJson(record)).digest('hex');
    expect(recordHash(record)).toBe(expected);
    expect(recordHash({ ...record, hash: 'f'.repeat(64) } as UnhashedAuditRecord)).toBe(expected);
  });

  it('changes with any field, the previous hash and the position included', () => {
    const base = recordHash(record);
    expect(recordHash({ ...record, prevHash: '1'.repeat(64) })).not.toBe(base);
    expect(recordHash({ ...record, position: 2 })).not.toBe(base);
    expect(recordHash({ ...record, after: { status: 'revoked', reason: 'leaked!' } })).not.toBe(
      base,
    );
    // Member order does not matter: the encoding is canonical.
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as UnhashedAuditRecord;
    expect(recordHash(reordered)).toBe(base);
  });
});
