import { randomBase62, toBase62 } from '@keyway/key-material';

/** A new id: type prefix, a time part (sortable by creation) and 14 random base62 characters. */
export function newId(prefix: 'alr' | 'sup', now: Date): string {
  return `${prefix}_${toBase62(now.getTime(), 8)}${randomBase62(14)}`;
}
