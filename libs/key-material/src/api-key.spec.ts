import { BASE62, randomBase62, toBase62 } from './base62';
import { crc32 } from './crc32';
import { displayParts, generateKey, hashKey, parseKey } from './api-key';

describe('key material', () => {
  it('generates keys in the {prefix}_{environment}_{body} format that validate', () => {
    const key = generateKey('kw', 'live');
    expect(key).toMatch(/^kw_live_[0-9A-Za-z]{36}$/);
    expect(parseKey(key)).toEqual({ prefix: 'kw', environment: 'live' });
    expect(parseKey(generateKey('acmecorp', 'test'))).toEqual({
      prefix: 'acmecorp',
      environment: 'test',
    });
  });

  it('never generates the same key twice in 10,000 draws', () => {
    const keys = new Set(Array.from({ length: 10_000 }, () => generateKey('kw', 'test')));
    expect(keys.size).toBe(10_000);
  });

  it('draws every base62 character roughly uniformly', () => {
    const counts = new Map<string, number>();
    for (const char of randomBase62(62 * 2_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(count).toBeGreaterThan(1_600);
  });

  it('rejects a key with one character changed, by checksum', () => {
    const key = generateKey('kw', 'live');
    const i = 12;
    const swapped = BASE62[(BASE62.indexOf(key[i] as string) + 1) % 62] as string;
    expect(parseKey(key.slice(0, i) + swapped + key.slice(i + 1))).toBe('BAD_CHECKSUM');
  });

  it.each([
    ['empty', ''],
    ['wrong environment', 'kw_prod_' + 'a'.repeat(36)],
    ['short body', 'kw_live_abc'],
    ['uppercase prefix', 'KW_live_' + 'a'.repeat(36)],
    ['one-letter prefix', 'k_live_' + 'a'.repeat(36)],
    ['non-base62', 'kw_live_' + 'a'.repeat(35) + '-'],
    ['trailing space', generateKey('kw', 'live') + ' '],
  ])('rejects a malformed key (%s)', (_name, candidate) => {
    expect(parseKey(candidate)).toBe('MALFORMED');
  });

  it('refuses an invalid prefix', () => {
    expect(() => generateKey('K', 'live')).toThrow(RangeError);
  });

  it('hashes with HMAC-SHA256 under the pepper', () => {
    // RFC 4231 test case 2.
    expect(hashKey('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(hashKey('a', 'k')).not.toBe(hashKey('b', 'k'));
  });

  it('keeps start and last4 for display', () => {
    const key = generateKey('kw', 'live');
    expect(displayParts(key)).toEqual({ start: key.slice(0, 12), last4: key.slice(-4) });
  });

  it('computes the standard CRC-32 and pads base62', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(toBase62(0, 6)).toBe('000000');
    expect(toBase62(61, 2)).toBe('0z');
    expect(toBase62(0xffffffff, 6)).toHaveLength(6);
  });
});
