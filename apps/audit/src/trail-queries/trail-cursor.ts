import { type TrailOrder } from './trail-filter';

/**
 * An opaque cursor: the last position of a page and the order it was read in, so that a cursor
 * is not silently reused with the other order.
 */
export function encodeTrailCursor(position: number, order: TrailOrder): string {
  return Buffer.from(JSON.stringify([position, order])).toString('base64url');
}

/** The position a cursor of `encodeTrailCursor` holds for this order; null for anything else. */
export function decodeTrailCursor(cursor: string, order: TrailOrder): number | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      (value[0] as number) >= 0 &&
      value[1] === order
    ) {
      return value[0] as number;
    }
  } catch {
    // not base64url JSON
  }
  return null;
}
