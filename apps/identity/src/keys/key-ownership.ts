import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { isManagementScope } from '@keyway/contracts';
import { IdentitiesRepository } from '../identities/identities.repository';
import { KeyError, KeyErrorCode } from './key.errors';

/** Scopes `["*"]`: the key inherits all of its identity's scopes, whatever they become. */
export const INHERIT_SCOPES = '*';

/** A key's owner and scopes, as they are or as a command would make them. */
export interface KeyOwnershipView {
  ownerId: string | null;
  scopes: readonly string[];
}

/**
 * The rules between keys and identities (docs/api/identity.md "Identities"), checked by issuing
 * and updating a key in their transaction:
 * - an `ownerId` that is not a member id names a live identity of the workspace (keys stored
 *   before identities existed keep their free-form owner until it changes);
 * - a key owned by an identity carries no `keyway:*` scope, and only such a key may be `["*"]`;
 * - ownership by an identity is fixed: the gateway keeps an identity's keys and its shared rate
 *   limit counters in one Redis Cluster slot, so moving a key to or from one would move data.
 * What an identity's key may do beyond that is capped at the gateway, not here.
 */
@Injectable()
export class KeyOwnership {
  constructor(private readonly identities: IdentitiesRepository) {}

  /**
   * Refuses `next` (a key being issued, or `current` being updated) with a `KeyError`. Locks the
   * owning identity's row until `tx` commits, so that a concurrent delete revokes this key too.
   * A key no longer active is left to the decision, which refuses it (`KEY_NOT_ACTIVE`).
   */
  async assertAllowed(
    tx: EntityManager,
    workspaceId: string,
    next: KeyOwnershipView,
    current?: KeyOwnershipView & { status?: string },
  ): Promise<void> {
    if (current?.status !== undefined && current.status !== 'active') return;
    const isIdentity = async (ownerId: string | null) =>
      ownerId !== null &&
      !ownerId.startsWith('mem_') &&
      (await this.identities.lockIfActive(tx, workspaceId, ownerId));
    const ownedByIdentity = await isIdentity(next.ownerId);
    const ownerChanges = current !== undefined && current.ownerId !== next.ownerId;
    if (ownerChanges && (ownedByIdentity || (await isIdentity(current.ownerId)))) {
      throw new KeyError(
        KeyErrorCode.KEY_OWNER_FIXED,
        'a key owned by an identity stays with it, and a key cannot move to one: issue a new key',
        { field: 'ownerId' },
      );
    }
    if (
      next.ownerId !== null &&
      !next.ownerId.startsWith('mem_') &&
      !ownedByIdentity &&
      (current === undefined || ownerChanges)
    ) {
      throw new KeyError(
        KeyErrorCode.KEY_OWNER_NOT_FOUND,
        'ownerId is neither a member nor an identity of this workspace',
        { field: 'ownerId' },
      );
    }
    const refused = ownedByIdentity
      ? next.scopes.some(isManagementScope) && 'a key owned by an identity has no keyway:* scopes'
      : next.scopes.includes(INHERIT_SCOPES) &&
        'only a key owned by an identity may inherit its scopes ("*")';
    if (refused) {
      throw new KeyError(KeyErrorCode.KEY_SCOPES_NOT_ALLOWED, refused, { field: 'scopes' });
    }
  }
}
