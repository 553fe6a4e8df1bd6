import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type KeyResource } from '@keyway/contracts';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';
import { KeyAggregate } from './key-aggregate';
import { keyResource } from './key-resource';
import { KeysRepository } from './keys.repository';

/** Revocation: the key (and any previous secret in its grace period) stops working now. */
@Injectable()
export class RevokeKey {
  constructor(
    private readonly aggregate: KeyAggregate,
    private readonly keys: KeysRepository,
  ) {}

  async execute(
    principal: Principal,
    keyId: string,
    reason: string | null,
    context: EventContext,
  ): Promise<KeyResource> {
    return keyResource(
      await this.aggregate.manage(principal, keyId, { kind: 'revoke', reason }, context),
    );
  }

  /** Revokes every active key a member owns (when the member leaves), in the caller's `tx`. */
  async allOwnedBy(
    tx: EntityManager,
    workspaceId: string,
    memberId: string,
    context: EventContext,
  ): Promise<void> {
    for (const keyId of await this.keys.findActiveIdsOwnedBy(tx, workspaceId, memberId)) {
      await this.aggregate.execute(
        {
          workspaceId,
          keyId,
          command: { kind: 'revoke', reason: 'owner removed from the workspace' },
          context,
        },
        tx,
      );
    }
  }
}
