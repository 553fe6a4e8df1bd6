import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IdentityId, IsoTimestamp } from '../scalars';
import { ExternalId } from './identity-fields';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';

/**
 * An identity was deleted: always its last event. Its keys are revoked (each by its own
 * `keyway.key.revoked.v1`, in the same transaction); a later `PUT` of the same external id is a
 * new identity with a new id, and the deleted identity's keys stay revoked.
 */
export const IdentityDeletedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.identityDeleted,
  z.strictObject({ externalId: ExternalId, deletedAt: IsoTimestamp }),
)
  .extend({ subject: IdentityId })
  .superRefine(refineNotFirst);
export type IdentityDeletedV1 = z.infer<typeof IdentityDeletedV1>;
