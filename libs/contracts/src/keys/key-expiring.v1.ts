import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IsoTimestamp, KeyId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';

/**
 * A secret of the key stops working soon: sent once per expiry, a configured lead time (default
 * 7 days) before it. `secret: "current"` is the key's own `expiresAt`; `"previous"` is the secret a
 * rotation replaced, whose grace period ends at `expiresAt`. Changes no state: for notifications.
 */
export const KeyExpiringV1 = cloudEventSchema(
  KEY_EVENT_TYPES.expiring,
  z.strictObject({
    secret: z.enum(['current', 'previous']),
    expiresAt: IsoTimestamp,
  }),
)
  .extend({ subject: KeyId })
  .superRefine(refineNotFirst);
export type KeyExpiringV1 = z.infer<typeof KeyExpiringV1>;
