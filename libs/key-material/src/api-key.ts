import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomBase62, toBase62 } from './base62';
import { crc32 } from './crc32';

export type KeyEnvironment = 'live' | 'test';

/** 30 random base62 characters: log2(62) × 30 ≈ 178.6 bits. */
export const RANDOM_LENGTH = 30;
/** CRC-32 fits in 6 base62 characters (62^6 > 2^32). */
export const CHECKSUM_LENGTH = 6;
export const PREFIX_PATTERN = /^[a-z]{2,12}$/;

const KEY_PATTERN = new RegExp(
  `^([a-z]{2,12})_(live|test)_([0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

export interface ParsedKey {
  prefix: string;
  environment: KeyEnvironment;
}

export type KeyShapeError = 'MALFORMED' | 'BAD_CHECKSUM';

function checksum(withoutChecksum: string): string {
  return toBase62(crc32(withoutChecksum), CHECKSUM_LENGTH);
}

/** A new key `{prefix}_{environment}_{30 random}{6 checksum}`, from the CSPRNG. */
export function generateKey(prefix: string, environment: KeyEnvironment): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new RangeError('prefix must be 2–12 lowercase letters');
  const head = `${prefix}_${environment}_${randomBase62(RANDOM_LENGTH)}`;
  return head + checksum(head);
}

/**
 * Checks a candidate key's shape and checksum with no I/O, so a mistyped or made-up key is
 * rejected before any lookup. The candidate itself never appears in the result.
 */
export function parseKey(candidate: string): ParsedKey | KeyShapeError {
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return 'MALFORMED';
  const [, prefix, environment, random, sum] = match as unknown as [
    string,
    string,
    KeyEnvironment,
    string,
    string,
  ];
  const expected = checksum(`${prefix}_${environment}_${random}`);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(sum))) return 'BAD_CHECKSUM';
  return { prefix, environment };
}

/** What is kept of a key at rest and in events: HMAC-SHA256(pepper, key) in lowercase hex. */
export function hashKey(pepper: string, key: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}

/** For display: prefix, environment and the first 4 body characters; and the last 4. */
export function displayParts(key: string): { start: string; last4: string } {
  const bodyStart = key.indexOf('_', key.indexOf('_') + 1) + 1;
  return { start: key.slice(0, bodyStart + 4), last4: key.slice(-4) };
}
