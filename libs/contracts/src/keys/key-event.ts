import { z } from 'zod';
import { parseContract } from '../contract-violation';
import { TOPICS } from '../topics';
import { KeyDeletedV1 } from './key-deleted.v1';
import { KeyExpiredV1 } from './key-expired.v1';
import { KeyExpiringV1 } from './key-expiring.v1';
import { KeyIssuedV1 } from './key-issued.v1';
import { KeyRevokedV1 } from './key-revoked.v1';
import { KeyRotatedV1 } from './key-rotated.v1';
import { KeyUpdatedV1 } from './key-updated.v1';

/** Any event on `keyway.keys.v1`, discriminated by `type`. */
export const KeyEvent = z.discriminatedUnion('type', [
  KeyIssuedV1,
  KeyUpdatedV1,
  KeyRotatedV1,
  KeyRevokedV1,
  KeyExpiredV1,
  KeyDeletedV1,
  KeyExpiringV1,
]);
export type KeyEvent = z.infer<typeof KeyEvent>;
export type KeyEventType = KeyEvent['type'];

/** Parses a `keyway.keys.v1` message (JSON value, string or bytes) or throws `ContractViolation`. */
export function parseKeyEvent(json: unknown): KeyEvent {
  return parseContract(KeyEvent, TOPICS.keys, json);
}
