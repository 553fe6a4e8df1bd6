import { type KeyResource } from '@keyway/contracts';
import { KeyError } from './key.errors';
import { type KeyState } from './key.state';

/** The key resource of the management API. Never contains the secret; a deleted key has none. */
export function keyResource(key: KeyState): KeyResource {
  if (key.status === 'deleted') throw KeyError.notFound();
  return {
    id: key.keyId,
    workspaceId: key.workspaceId,
    name: key.name,
    environment: key.environment,
    start: key.start,
    last4: key.last4,
    scopes: key.scopes,
    rateLimits: key.rateLimits.map(({ name, limit, window }) => ({ name, limit, window })),
    credits: key.credits,
    allowedCidrs: key.allowedCidrs,
    expiresAt: key.expiresAt,
    ownerId: key.ownerId,
    metadata: key.metadata,
    status: key.status,
    createdAt: key.createdAt,
    createdBy: key.createdBy,
    lastRotatedAt: key.lastRotatedAt,
    previousKeyExpiresAt: key.previousKeyExpiresAt,
    revokedAt: key.revokedAt,
    revokeReason: key.revokeReason,
    version: key.version,
  };
}
