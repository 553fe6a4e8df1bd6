// Opaque cursors of audit's list routes: base64url JSON arrays of the sort key of the last item.

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An ISO time as `toISOString` writes it, naming a real instant Postgres can hold. */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || value.startsWith('0000')) return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The values of a cursor of `encodeCursor`, each checked by its guard; null for anything else. */
export function decodeCursor<T extends readonly string[]>(
  cursor: string,
  guards: { readonly [K in keyof T]: (value: unknown) => value is T[K] },
): T | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== guards.length) return null;
  return guards.every((guard, index) => guard(value[index])) ? (value as unknown as T) : null;
}
