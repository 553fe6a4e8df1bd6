import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { displayParts, generateKey, hashKey } from '@keyway/key-material';
import {
  assertCanGrantScopes,
  assertCanManageKey,
  assertManagementKeyOwned,
} from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { Aggregates } from '../event-store/aggregates';
import { type EventContext } from '../event-store/event-store';
import { ApiError } from '../http/error-codes';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { type UpdateKeyCommand } from './dto/update-key.request';
import { withWindowMs } from './issue-key';
import { keyCommand, type KeyCommandFor } from './key-aggregate';
import { keyResource, type KeyResource } from './key-resource';
import { type KeyChanges, type KeyState } from './key.state';
import { PEPPER } from './pepper';

/** Update, rotate, revoke and delete: each one command on one key aggregate. */
@Injectable()
export class KeyLifecycle {
  constructor(
    private readonly aggregates: Aggregates,
    private readonly workspaces: WorkspaceDirectory,
    @Inject(PEPPER) private readonly pepper: string,
  ) {}

  async update(principal: Principal, keyId: string, body: UpdateKeyCommand, context: EventContext) {
    if (body.scopes) assertCanGrantScopes(principal, body.scopes);
    // A member's keys stay its own: un-owning one would free it from the member's role cap.
    if (
      principal.role === 'member' &&
      body.ownerId !== undefined &&
      body.ownerId !== principal.ownerId
    ) {
      throw new ApiError('FORBIDDEN', "members cannot change a key's owner");
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
    return this.run(principal, keyId, { kind: 'update', changes }, context, async (key, tx) => {
      const ownerId = changes.ownerId === undefined ? key.ownerId : changes.ownerId;
      assertManagementKeyOwned(principal, { ownerId, scopes: changes.scopes ?? key.scopes });
      if (
        changes.ownerId?.startsWith('mem_') &&
        !(await this.workspaces.isActiveMember(principal.workspaceId, changes.ownerId, tx))
      ) {
        throw new ApiError('VALIDATION_ERROR', 'ownerId is not a member of this workspace', {
          field: 'ownerId',
        });
      }
    });
  }

  /** A new secret, returned once; the old one works for `gracePeriodMs` (never past expiry). */
  async rotate(principal: Principal, keyId: string, gracePeriodMs: number, context: EventContext) {
    let secret = '';
    const resource = await this.run(
      principal,
      keyId,
      (key) => {
        const prefix = key.start.slice(0, key.start.indexOf('_'));
        secret = generateKey(prefix, key.environment);
        return {
          kind: 'rotate',
          keyHash: hashKey(this.pepper, secret),
          ...displayParts(secret),
          gracePeriodMs,
        };
      },
      context,
    );
    return { key: secret, resource };
  }

  revoke(principal: Principal, keyId: string, reason: string | null, context: EventContext) {
    return this.run(principal, keyId, { kind: 'revoke', reason }, context);
  }

  async delete(principal: Principal, keyId: string, context: EventContext): Promise<void> {
    await this.run(principal, keyId, { kind: 'delete' }, context);
  }

  /** Revokes every active key a member owns (when the member leaves), in the caller's transaction. */
  async revokeOwnedBy(
    manager: EntityManager,
    workspaceId: string,
    memberId: string,
    context: EventContext,
  ) {
    const rows = (await manager.query(
      `SELECT id FROM keys WHERE workspace_id = $1 AND owner_id = $2 AND status = 'active'`,
      [workspaceId, memberId],
    )) as { id: string }[];
    for (const { id } of rows) {
      await this.aggregates.execute(
        keyCommand(
          workspaceId,
          id,
          { kind: 'revoke', reason: 'owner removed from the workspace' },
          context,
        ),
        manager,
      );
    }
  }

  private async run(
    principal: Principal,
    keyId: string,
    command: KeyCommandFor,
    context: EventContext,
    authorize?: (key: KeyState, tx: EntityManager) => Promise<void>,
  ): Promise<KeyResource> {
    const { state } = await this.aggregates.execute(
      keyCommand(principal.workspaceId, keyId, command, context, async (key, tx) => {
        assertCanManageKey(principal, key);
        await authorize?.(key, tx);
      }),
    );
    if (state === null) throw new ApiError('NOT_FOUND', 'key not found');
    return keyResource(state);
  }
}
