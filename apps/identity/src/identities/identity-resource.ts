import { type IdentityResource } from '@keyway/contracts';
import { IdentityError } from './identity.errors';
import { type IdentityState } from './identity.decide';

/** The identity resource of the management API; a deleted identity has none. */
export function identityResource(identity: IdentityState | null): IdentityResource {
  if (identity === null || identity.status !== 'active') throw IdentityError.notFound();
  return {
    id: identity.identityId,
    externalId: identity.externalId,
    workspaceId: identity.workspaceId,
    scopes: identity.scopes,
    metadata: identity.metadata,
    rateLimits: identity.rateLimits.map(({ name, limit, window }) => ({ name, limit, window })),
    createdAt: identity.createdAt,
    updatedAt: identity.updatedAt,
    version: identity.version,
  };
}
