import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IsoTimestamp, KeyHash, KeyId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';
import { KeyLast4, KeyStart } from './key-fields';

/**
 * The key got a new secret. The previous secret keeps working until `previousKeyExpiresAt`
 * (equal to `rotatedAt` when there is no grace period).
 */
export const KeyRotatedV1 = cloudEventSchema(
  KEY_EVENT_TYPES.rotated,
  z
    .strictObject({
      keyHash: KeyHash,
      start: KeyStart,
      last4: KeyLast4,
      previousKeyHash: KeyHash,
      previousKeyExpiresAt: IsoTimestamp,
      rotatedAt: IsoTimestamp,
    })
    .superRefine((data, ctx) => {
      if (data.keyHash === data.previousKeyHash) {
        ctx.addIssue({ code: 'custom', path: ['keyHash'], message: 'must differ from previous' });
      }
      if (Date.parse(data.previousKeyExpiresAt) < Date.parse(data.rotatedAt)) {
        ctx.addIssue({
          code: 'custom',
          path: ['previousKeyExpiresAt'],
          message: 'must not be before rotatedAt',
        });
      }
    }),
)
  .extend({ subject: KeyId })
  .superRefine(refineNotFirst);
export type KeyRotatedV1 = z.infer<typeof KeyRotatedV1>;
