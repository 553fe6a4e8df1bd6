import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IsoTimestamp, KeyId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';

/** The key is gone: consumers drop its state (audit keeps the history). Always the last event. */
export const KeyDeletedV1 = cloudEventSchema(
  KEY_EVENT_TYPES.deleted,
  z.strictObject({ deletedAt: IsoTimestamp }),
)
  .extend({ subject: KeyId })
  .superRefine(refineNotFirst);
export type KeyDeletedV1 = z.infer<typeof KeyDeletedV1>;
