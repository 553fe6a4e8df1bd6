import { randomBase62, toBase62 } from '@keyway/key-material';

/**
 * A new id: type prefix, then a time part (sortable by creation) and 14 random base62 characters
 * (about 83 bits, drawn without modulo bias). `key_0Yk3H…`; ids carry no secret.
 */
export function newId(prefix: 'key' | 'ws' | 'mem' | 'idt', now: Date): string {
  return `${prefix}_${toBase62(now.getTime(), 8)}${randomBase62(14)}`;
}
