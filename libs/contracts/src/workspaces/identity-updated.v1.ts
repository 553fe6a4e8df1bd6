import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { IdentityId } from '../scalars';
import {
  ExternalId,
  IdentityMetadata,
  IdentityRateLimits,
  IdentityScopes,
} from './identity-fields';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';

/**
 * An identity's scopes, metadata or shared limits changed; data holds `externalId` (which never
 * changes) and only the changed fields, with their new values.
 */
export const IdentityUpdatedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.identityUpdated,
  z
    .strictObject({
      externalId: ExternalId,
      scopes: IdentityScopes.optional(),
      metadata: IdentityMetadata.optional(),
      rateLimits: IdentityRateLimits.optional(),
    })
    .refine(
      ({ scopes, metadata, rateLimits }) =>
        scopes !== undefined || metadata !== undefined || rateLimits !== undefined,
      { message: 'must change at least one field' },
    ),
)
  .extend({ subject: IdentityId })
  .superRefine(refineNotFirst);
export type IdentityUpdatedV1 = z.infer<typeof IdentityUpdatedV1>;
