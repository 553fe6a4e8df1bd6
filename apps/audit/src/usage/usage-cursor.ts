import ipaddr from 'ipaddr.js';

// The guards of the usage routes' cursors (`decodeCursor` of ../cursor.ts).

export const isKeyId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 200;

export const isAddress = (value: unknown): value is string =>
  typeof value === 'string' && ipaddr.isValid(value);
