import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type KeyResource } from '@keyway/contracts';
import { AuthError } from '../auth/auth.errors';
import { assertCanManageKey, assertEnvironment, isOwnKey } from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { EventStoreError, EventStoreErrorCode } from '../event-store/event-store.errors';
import { type EventContext } from '../event-store/event-store';
import { KeyAggregate } from './key-aggregate';
import { KeyError, KeyErrorCode } from './key.errors';
import { KeyPolicy } from './key-policy';
import { keyResource } from './key-resource';
import { type KeyState } from './key.state';
import { KeysRepository } from './keys.repository';

/** How often a revoke retries after losing a race to a concurrent change of the same key. */
const REVOKE_ATTEMPTS = 10;

/**
 * Revocation: the key (and any previous secret in its grace period) stops working now. Anyone may
 * revoke their own key; anyone else needs `keyway:keys:write` and rights at least those the key
 * has now (its scopes capped by its owner's current role). A revoke never loses to a concurrent
 * change: it retries its own optimistic-concurrency conflicts.
 */
@Injectable()
export class RevokeKey {
  constructor(
    private readonly aggregate: KeyAggregate,
    private readonly keys: KeysRepository,
    private readonly policy: KeyPolicy,
  ) {}

  async execute(
    principal: Principal,
    keyId: string,
    reason: string | null,
    context: EventContext,
  ): Promise<KeyResource> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { state } = await this.aggregate.execute({
          workspaceId: principal.workspaceId,
          keyId,
          command: { kind: 'revoke', reason },
          context,
          authorize: (key, tx) => this.authorize(principal, key, tx),
        });
        if (state === null) throw KeyError.notFound();
        return keyResource(state);
      } catch (error) {
        if (!isConflict(error) || attempt >= REVOKE_ATTEMPTS) throw error;
      }
    }
  }

  private async authorize(principal: Principal, key: KeyState, tx: EntityManager): Promise<void> {
    if (isOwnKey(principal, key)) return;
    if (!principal.scopes.includes('keyway:keys:write')) {
      // A caller that may not even read keys learns nothing of one that is not its own: not
      // found, as for an id that does not exist (else 403 vs 404 would tell which ids exist).
      if (!principal.scopes.includes('keyway:keys:read')) throw KeyError.notFound();
      throw AuthError.forbidden({ requiredScopes: ['keyway:keys:write'] });
    }
    assertEnvironment(principal, key.environment);
    await this.policy.assertMayManageKeys(principal, tx);
    assertCanManageKey(principal, {
      ownerId: key.ownerId,
      scopes: await this.policy.effectiveScopes(key, tx),
    });
  }

  /**
   * Revokes every active key an owner (a member who leaves, an identity deleted) owns, in the
   * caller's `tx`. Like a single revoke, it does not lose to a concurrent change of a key (a
   * rotation, an update): each key's revoke runs under a savepoint and is retried on a conflict,
   * so the owner's removal is never refused for it; a key revoked or deleted meanwhile is done.
   */
  async allOwnedBy(
    tx: EntityManager,
    workspaceId: string,
    ownerId: string,
    context: EventContext,
    reason = 'owner removed from the workspace',
  ): Promise<void> {
    const keyIds = await this.keys.findActiveIdsOwnedBy(tx, workspaceId, ownerId);
    await this.all(tx, workspaceId, keyIds, context, reason);
  }

  /**
   * Revokes each key in the caller's `tx`, each in its own savepoint: a concurrent change of one
   * is retried, and a key already revoked or deleted counts as done.
   */
  async all(
    tx: EntityManager,
    workspaceId: string,
    keyIds: readonly string[],
    context: EventContext,
    reason: string,
  ): Promise<void> {
    for (const keyId of keyIds) {
      for (let attempt = 1; ; attempt++) {
        try {
          await tx.transaction((savepoint) =>
            this.aggregate.execute(
              { workspaceId, keyId, command: { kind: 'revoke', reason }, context },
              savepoint,
            ),
          );
          break;
        } catch (error) {
          const gone =
            error instanceof KeyError &&
            (error.code === KeyErrorCode.KEY_NOT_ACTIVE ||
              error.code === KeyErrorCode.KEY_NOT_FOUND);
          if (gone) break;
          if (!isConflict(error) || attempt >= REVOKE_ATTEMPTS) throw error;
        }
      }
    }
  }
}

function isConflict(error: unknown): boolean {
  return (
    error instanceof EventStoreError && error.code === EventStoreErrorCode.CONCURRENCY_CONFLICT
  );
}
