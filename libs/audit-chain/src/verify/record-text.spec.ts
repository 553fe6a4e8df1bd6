import { canonicalJson, recordHash } from '../index';
import { canonicalRecordAndHash } from './record-text';

describe('canonicalRecordAndHash', () => {
  it('is canonicalJson of the record and recordHash of it, whatever the member order', () => {
    const record = {
      zeta: [3, { b: 1, a: 'é' }],
      hash: 'a'.repeat(64),
      '\u20ac': null,
      position: 1e21,
      after: { hash: 'nested, not the record hash' },
    };
    const { canonical, hash } = canonicalRecordAndHash(record);
    expect(canonical).toBe(canonicalJson(record));
    expect(hash).toBe(recordHash(record as never));
  });
});
