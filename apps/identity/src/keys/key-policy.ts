import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  assertCanAssignOwner,
  assertCanManageKeyOf,
  assertMemberKeysAllowed,
  scopesWithinRole,
} from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { MembersRepository } from '../members/members.repository';
import { WorkspaceError } from '../workspaces/workspace.errors';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { KeyError, KeyErrorCode } from './key.errors';

/**
 * The authorization rules on keys that need the database: the workspace key policy, who may own
 * a key, and what a key may do now. Each runs in the command's transaction.
 */
@Injectable()
export class KeyPolicy {
  constructor(
    private readonly workspaces: WorkspacesRepository,
    private readonly members: MembersRepository,
  ) {}

  /** `memberKeys: none` keeps a member's key from managing keys (one read, for members only). */
  async assertMayManageKeys(principal: Principal, tx: EntityManager): Promise<void> {
    if (principal.role !== 'member') return;
    const workspace = await this.workspaces.findSettings(principal.workspaceId, tx);
    if (workspace === null) throw WorkspaceError.notFound();
    assertMemberKeysAllowed(principal, workspace.memberKeys);
  }

  /**
   * A key given to a member (`ownerId` `mem_…`) goes to an active member of the workspace that
   * the caller could act on; the member's row stays locked to commit, so a concurrent removal
   * sees (and revokes) the key. `principal` is null for the system.
   */
  async assertMayOwn(
    principal: Principal | null,
    workspaceId: string,
    ownerId: string | null,
    tx: EntityManager,
  ): Promise<void> {
    if (ownerId === null || !ownerId.startsWith('mem_')) return;
    const role = await this.members.lockActiveRole(tx, workspaceId, ownerId);
    if (role === null) {
      throw new KeyError(
        KeyErrorCode.KEY_OWNER_NOT_MEMBER,
        'ownerId is not a member of this workspace',
        { field: 'ownerId' },
      );
    }
    if (principal !== null) assertCanAssignOwner(principal, { memberId: ownerId, role });
  }

  /**
   * A key of another member is changed, rotated or deleted only by a caller who could act on that
   * member (`assertCanManageKeyOf`); the member's row stays locked to commit, so a concurrent role
   * change waits.
   */
  async assertMayManageKeyOf(
    principal: Principal,
    key: { workspaceId: string; ownerId: string | null },
    tx: EntityManager,
  ): Promise<void> {
    const { ownerId } = key;
    if (ownerId === null || !ownerId.startsWith('mem_') || ownerId === principal.ownerId) return;
    const role = await this.members.lockActiveRole(tx, key.workspaceId, ownerId);
    // A removed member's keys are revoked: the decision refuses them.
    if (role !== null) assertCanManageKeyOf(principal, { memberId: ownerId, role });
  }

  /** What a key may do now: a member's key is capped by the member's current role. */
  async effectiveScopes(
    key: { workspaceId: string; ownerId: string | null; scopes: readonly string[] },
    tx: EntityManager,
  ): Promise<readonly string[]> {
    if (key.ownerId === null || !key.ownerId.startsWith('mem_')) return key.scopes;
    const role = await this.members.lockActiveRole(tx, key.workspaceId, key.ownerId);
    return role === null ? [] : scopesWithinRole(key.scopes, role);
  }
}
