import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IsoTimestamp, KeyId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';

/**
 * The key passed its `expiresAt`. Consumers must already reject it from `expiresAt` alone;
 * this event records the status change.
 */
export const KeyExpiredV1 = cloudEventSchema(
  KEY_EVENT_TYPES.expired,
  z.strictObject({ expiredAt: IsoTimestamp }),
)
  .extend({ subject: KeyId })
  .superRefine(refineNotFirst);
export type KeyExpiredV1 = z.infer<typeof KeyExpiredV1>;
