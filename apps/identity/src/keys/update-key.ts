import { Injectable } from '@nestjs/common';
import { type KeyResource, withWindowMs } from '@keyway/contracts';
import { AuthError } from '../auth/auth.errors';
import { assertCanGrantScopes, assertManagementKeyOwned } from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';
import { type UpdateKeyCommand } from './dto/key.dto';
import { KeyAggregate } from './key-aggregate';
import { KeyOwnership } from './key-ownership';
import { KeyPolicy } from './key-policy';
import { keyResource } from './key-resource';
import { type KeyChanges } from './key.state';

/** Changes a key's settings (`PATCH /v1/keys/{id}`): only what differs is recorded. */
@Injectable()
export class UpdateKey {
  constructor(
    private readonly aggregate: KeyAggregate,
    private readonly policy: KeyPolicy,
    private readonly ownership: KeyOwnership,
  ) {}

  async execute(
    principal: Principal,
    keyId: string,
    body: UpdateKeyCommand,
    context: EventContext,
  ): Promise<KeyResource> {
    if (body.scopes) assertCanGrantScopes(principal, body.scopes);
    // A member's keys stay its own: un-owning one would free it from the member's role cap.
    if (
      principal.role === 'member' &&
      body.ownerId !== undefined &&
      body.ownerId !== principal.ownerId
    ) {
      throw AuthError.forbidden({}, "members cannot change a key's owner");
    }
    const changes: KeyChanges = {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.scopes === undefined ? {} : { scopes: [...new Set(body.scopes)] }),
      ...(body.rateLimits === undefined ? {} : { rateLimits: withWindowMs(body.rateLimits) }),
      ...(body.credits === undefined ? {} : { credits: body.credits }),
      ...(body.allowedCidrs === undefined ? {} : { allowedCidrs: body.allowedCidrs }),
      ...(body.expiresAt === undefined
        ? {}
        : { expiresAt: body.expiresAt && new Date(body.expiresAt).toISOString() }),
      ...(body.ownerId === undefined ? {} : { ownerId: body.ownerId }),
      ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
    };
    const key = await this.aggregate.manage(
      principal,
      keyId,
      { kind: 'update', changes },
      context,
      async (current, tx) => {
        const ownerId = changes.ownerId === undefined ? current.ownerId : changes.ownerId;
        const scopes = changes.scopes ?? current.scopes;
        assertManagementKeyOwned(principal, { ownerId, scopes });
        if (ownerId !== current.ownerId) {
          await this.policy.assertMayOwn(principal, principal.workspaceId, ownerId, tx);
        }
        await this.ownership.assertAllowed(tx, principal.workspaceId, { ownerId, scopes }, current);
      },
    );
    return keyResource(key);
  }
}
