import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { IdentityId, IsoTimestamp } from '../scalars';
import {
  ExternalId,
  IdentityMetadata,
  IdentityRateLimits,
  IdentityScopes,
} from './identity-fields';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';

/**
 * An external owner was registered in the workspace `workspaceid` (subject = identity id,
 * sequence 1). Keys name it by `externalId` as their `ownerId`.
 */
export const IdentityCreatedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.identityCreated,
  z.strictObject({
    identityId: IdentityId,
    externalId: ExternalId,
    scopes: IdentityScopes,
    metadata: IdentityMetadata,
    rateLimits: IdentityRateLimits,
    createdAt: IsoTimestamp,
  }),
)
  .extend({ subject: IdentityId })
  .superRefine((event, ctx) => {
    if (event.sequence !== 1) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must be 1 for created' });
    }
    if (event.subject !== event.data.identityId) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.identityId' });
    }
  });
export type IdentityCreatedV1 = z.infer<typeof IdentityCreatedV1>;
