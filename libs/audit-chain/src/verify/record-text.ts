import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';

/**
 * The canonical text of a record and its hash (SHA-256 of the canonical record without `hash`),
 * with one canonicalisation of each member: RFC 8785 writes an object as its members sorted by
 * UTF-16 code units, so both texts are joins of the same member texts.
 */
export function canonicalRecordAndHash(record: Record<string, unknown>): {
  canonical: string;
  hash: string;
} {
  const members: string[] = [];
  const unhashed: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const member = `${canonicalJson(name)}:${canonicalJson(record[name])}`;
    members.push(member);
    if (name !== 'hash') unhashed.push(member);
  }
  return {
    canonical: `{${members.join(',')}}`,
    hash: createHash('sha256')
      .update(`{${unhashed.join(',')}}`, 'utf8')
      .digest('hex'),
  };
}
