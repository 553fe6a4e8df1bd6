import { decodeCursor as decodeValues, encodeCursor as encodeValues, isInstant } from '../cursor';

const ID = /^(?:alr|sup)_[0-9A-Za-z]{1,64}$/;

const isAlertId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);

/** An opaque cursor over (time, id) descending. */
export function encodeCursor(at: Date, id: string): string {
  return encodeValues([at.toISOString(), id]);
}

/** The position a cursor of `encodeCursor` holds; null for anything else. */
export function decodeCursor(cursor: string): { at: string; id: string } | null {
  const values = decodeValues<[string, string]>(cursor, [isInstant, isAlertId]);
  return values === null ? null : { at: values[0], id: values[1] };
}
