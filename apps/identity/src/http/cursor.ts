const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether an ISO time of `ISO_TIME`'s shape names a real instant, written as `encodeCursor` wrote
 * it (not month 13, not 24:00) and in Postgres's range (year 1 on): a forged cursor is refused
 * as a cursor, not by the database.
 */
function isInstant(time: string): boolean {
  const ms = Date.parse(time);
  return Number.isFinite(ms) && new Date(ms).toISOString() === time && !time.startsWith('0000');
}

/** An opaque cursor over (created_at, id) descending. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** The position a cursor of `encodeCursor` holds; null for anything else. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      ISO_TIME.test(value[0]) &&
      isInstant(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // not base64url JSON
  }
  return null;
}
