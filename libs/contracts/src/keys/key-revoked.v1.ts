import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IsoTimestamp, KeyId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';

/** The key (and any previous secret still in its grace period) stops working now. */
export const KeyRevokedV1 = cloudEventSchema(
  KEY_EVENT_TYPES.revoked,
  z.strictObject({ reason: z.string().min(1).max(500).nullable(), revokedAt: IsoTimestamp }),
)
  .extend({ subject: KeyId })
  .superRefine(refineNotFirst);
export type KeyRevokedV1 = z.infer<typeof KeyRevokedV1>;
