import { createHash } from 'node:crypto';
import { canonicalJson, NotCanonicalizable } from '../canonical-json';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** RFC 8785 text of a member value; scalars directly (their JCS form is ECMAScript's). */
function valueText(value: unknown): string {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new NotCanonicalizable('lone surrogate in a string');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotCanonicalizable('non-finite number');
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value === null ? 'null' : canonicalJson(value);
}

/**
 * The canonical text of a record and its hash (SHA-256 of the canonical record without `hash`),
 * with one canonicalisation of each member: RFC 8785 writes an object as its members sorted by
 * UTF-16 code units, so both texts are joins of the same member texts.
 */
export function canonicalRecordAndHash(record: Record<string, unknown>): {
  canonical: string;
  hash: string;
} {
  let members = '';
  let unhashed = '';
  for (const name of Object.keys(record).sort()) {
    const member = `${valueText(name)}:${valueText(record[name])}`;
    members += members === '' ? member : `,${member}`;
    if (name !== 'hash') unhashed += unhashed === '' ? member : `,${member}`;
  }
  return {
    canonical: `{${members}}`,
    hash: createHash('sha256').update(`{${unhashed}}`, 'utf8').digest('hex'),
  };
}
