import { z } from 'zod';
import { changedFields, cloudEventSchema, refineNotFirst } from '../cloud-event';
import { RateLimits } from '../rate-limit';
import { IsoTimestamp, KeyId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';
import { AllowedCidrs, Credits, KeyMetadata, KeyName, OwnerId, Scope } from './key-fields';

/** Some of a key's settings changed; data holds only the changed fields, with new values. */
export const KeyUpdatedV1 = cloudEventSchema(
  KEY_EVENT_TYPES.updated,
  changedFields({
    name: KeyName,
    scopes: z.array(Scope),
    rateLimits: RateLimits,
    credits: Credits.nullable(),
    allowedCidrs: AllowedCidrs.nullable(),
    expiresAt: IsoTimestamp.nullable(),
    ownerId: OwnerId.nullable(),
    metadata: KeyMetadata,
  }),
)
  .extend({ subject: KeyId })
  .superRefine(refineNotFirst);
export type KeyUpdatedV1 = z.infer<typeof KeyUpdatedV1>;
