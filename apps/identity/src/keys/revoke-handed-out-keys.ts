import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  isManagementScope,
  KEY_EVENT_TYPES,
  type MemberRole,
  ROLE_SCOPES,
} from '@keyway/contracts';
import { type EventContext, EventStore, type RecordedEvent } from '../event-store/event-store';
import { KeysRepository } from './keys.repository';
import { RevokeKey } from './revoke-key';

/** The secret-setting events of a key: whoever sent them was shown its current secret. */
const SECRET_SET_BY = [KEY_EVENT_TYPES.issued, KEY_EVENT_TYPES.rotated];

/**
 * Whoever sets a key's secret (issues or rotates it) is shown that secret. A member who hands a
 * management key to someone else can keep a copy, so when that member leaves, or loses a
 * `keyway:*` scope the key grants, the keys of others whose **current** secret it set are revoked
 * with its rights: a removed or demoted admin keeps nothing. The recipient escapes this by
 * rotating the key on receipt (then the secret is its own).
 */
@Injectable()
export class RevokeHandedOutKeys {
  constructor(
    private readonly keys: KeysRepository,
    private readonly store: EventStore,
    private readonly revokeKey: RevokeKey,
  ) {}

  /** After `memberId` left (`role` null) or got `role`, in the same transaction. */
  async after(
    tx: EntityManager,
    workspaceId: string,
    memberId: string,
    role: MemberRole | null,
    context: EventContext,
  ): Promise<void> {
    const kept = new Set<string>(role === null ? [] : ROLE_SCOPES[role]);
    const candidates = (await this.keys.findActiveWithManagementScopes(tx, workspaceId)).filter(
      (key) =>
        key.ownerId !== memberId &&
        key.scopes.some((scope) => isManagementScope(scope) && !kept.has(scope)),
    );
    if (candidates.length === 0) return;
    const setBy = await this.store.latestOfTypes(
      candidates.map((key) => key.keyId),
      SECRET_SET_BY,
      tx,
    );
    const setters = new Set(
      [...setBy.values()].map(callingKeyId).filter((id): id is string => id !== null),
    );
    const membersKeys = await this.everOwnedBy(tx, [...setters], memberId);
    const handedOut = candidates.filter((key) => {
      const setter = callingKeyId(setBy.get(key.keyId));
      return setter !== null && membersKeys.has(setter);
    });
    await this.revokeKey.all(
      tx,
      workspaceId,
      handedOut.map((key) => key.keyId),
      context,
      role === null
        ? 'the member who set its secret left the workspace'
        : 'the member who set its secret lost the rights it grants',
    );
  }

  /** Which of the keys `memberId` owned at some point (their issued and updated events say). */
  private async everOwnedBy(
    tx: EntityManager,
    keyIds: readonly string[],
    memberId: string,
  ): Promise<Set<string>> {
    const owned = new Set<string>();
    for (const keyId of keyIds) {
      const history = await this.store.load(keyId, tx);
      const ownedOnce = history.some(
        (event) =>
          (event.type === KEY_EVENT_TYPES.issued || event.type === KEY_EVENT_TYPES.updated) &&
          (event.data as { ownerId?: string | null }).ownerId === memberId,
      );
      if (ownedOnce) owned.add(keyId);
    }
    return owned;
  }
}

/** The key that sent an event through the management API (`actor: key:key_…`), if one did. */
function callingKeyId(event: RecordedEvent | undefined): string | null {
  return event?.actor.startsWith('key:') ? event.actor.slice('key:'.length) : null;
}
