import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A new id: type prefix, then a time part (sortable by creation) and 80 random bits, base62.
 * `key_0Yk3H…`; ids carry no secret.
 */
export function newId(prefix: 'key' | 'ws' | 'mem', now: Date): string {
  let time = '';
  let rest = now.getTime();
  for (let i = 0; i < 8; i++) {
    time = BASE62[rest % 62] + time;
    rest = Math.floor(rest / 62);
  }
  let random = '';
  for (const byte of randomBytes(16)) {
    if (random.length === 14) break;
    random += BASE62[byte % 62];
  }
  return `${prefix}_${time}${random}`;
}
