import { canonicalize } from 'json-canonicalize';

/** A value RFC 8785 cannot encode: a lone surrogate, a non-finite number, a non-JSON type. */
export class NotCanonicalizable extends Error {
  constructor(reason: string) {
    super(`not canonicalizable: ${reason}`);
    this.name = 'NotCanonicalizable';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Walks the value without recursion (records come from events: depth is not ours to trust). */
function assertEncodable(value: unknown): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item === 'boolean') continue;
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) throw new NotCanonicalizable('lone surrogate in a string');
      continue;
    }
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) throw new NotCanonicalizable('non-finite number');
      continue;
    }
    if (Array.isArray(item)) {
      pending.push(...(item as unknown[]));
      continue;
    }
    if (typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      for (const [key, entry] of Object.entries(item as Record<string, unknown>)) {
        if (LONE_SURROGATE.test(key)) throw new NotCanonicalizable('lone surrogate in a name');
        if (entry !== undefined) pending.push(entry);
      }
      continue;
    }
    throw new NotCanonicalizable(`unsupported ${typeof item}`);
  }
}

/**
 * The RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: object members sorted by
 * their UTF-16 code units, ECMAScript number formatting, minimal string escaping, no whitespace.
 * Strings with lone surrogates are refused: RFC 8785 requires valid Unicode, and I-JSON (RFC 7493)
 * excludes them.
 */
export function canonicalJson(value: unknown): string {
  assertEncodable(value);
  return canonicalize(value);
}
