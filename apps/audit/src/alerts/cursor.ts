const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = /^(?:alr|sup)_[0-9A-Za-z]{1,64}$/;

/** An opaque cursor over (time, id) descending. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

/** The position a cursor of `encodeCursor` holds; null for anything else. */
export function decodeCursor(cursor: string): { at: string; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      ISO_TIME.test(value[0]) &&
      new Date(Date.parse(value[0])).toISOString() === value[0] &&
      !value[0].startsWith('0000') &&
      typeof value[1] === 'string' &&
      ID.test(value[1])
    ) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // not base64url JSON
  }
  return null;
}
