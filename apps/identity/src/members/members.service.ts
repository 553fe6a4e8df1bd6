import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { assertCanGrantRole } from '../auth/authorize';
import { type Role } from '../auth/permissions';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { Aggregates } from '../event-store/aggregates';
import { type EventContext } from '../event-store/event-store';
import { ApiError } from '../http/error-codes';
import { newId } from '../ids';
import { KeyLifecycle } from '../keys/key-lifecycle';
import { memberCommand } from './member-aggregate';
import { type MemberState } from './member.decide';
import { memberResource, type MemberResource } from './member-resource';

/** Adding, re-roling and removing members, and reading them. */
@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregates: Aggregates,
    private readonly keys: KeyLifecycle,
    private readonly clock: Clock,
  ) {}

  /** `principal` null: the system (bootstrap, workspace creation). */
  async add(
    workspaceId: string,
    email: string,
    role: Role,
    context: EventContext,
    principal: Principal | null,
    manager?: EntityManager,
  ): Promise<MemberResource> {
    if (principal !== null) assertCanGrantRole(principal, role);
    const work = async (tx: EntityManager) => {
      await this.lockWorkspace(tx, workspaceId); // two adds of one email cannot both pass the check
      const taken: unknown[] = await tx.query(
        `SELECT 1 FROM members WHERE workspace_id = $1 AND lower(email) = lower($2) AND status = 'active'`,
        [workspaceId, email],
      );
      if (taken.length > 0)
        throw new ApiError('CONFLICT', 'a member with this email exists', { field: 'email' });
      const memberId = newId('mem', this.clock.now());
      const { state } = await this.aggregates.execute(
        {
          ...memberCommand(workspaceId, memberId, { kind: 'add', memberId, email, role }, context),
          isNew: true,
        },
        tx,
      );
      return memberResource(state as MemberState);
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  async changeRole(principal: Principal, memberId: string, role: Role, context: EventContext) {
    assertCanGrantRole(principal, role);
    return this.dataSource.transaction(async (tx) => {
      await this.lockWorkspace(tx, principal.workspaceId);
      const { state } = await this.aggregates.execute(
        memberCommand(
          principal.workspaceId,
          memberId,
          { kind: 'change-role', role },
          context,
          (member) => {
            assertCanGrantRole(principal, member.role); // nobody demotes someone above them
          },
        ),
        tx,
      );
      await this.assertOwnerRemains(tx, principal.workspaceId);
      return memberResource(this.found(state));
    });
  }

  /** Removes the member and revokes every key it owns, in one transaction. */
  async remove(principal: Principal, memberId: string, context: EventContext): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.lockWorkspace(tx, principal.workspaceId);
      await this.aggregates.execute(
        memberCommand(principal.workspaceId, memberId, { kind: 'remove' }, context, (member) =>
          assertCanGrantRole(principal, member.role),
        ),
        tx,
      );
      await this.assertOwnerRemains(tx, principal.workspaceId);
      await this.keys.revokeOwnedBy(tx, principal.workspaceId, memberId, context);
    });
  }

  async list(workspaceId: string): Promise<{ data: MemberResource[] }> {
    const rows = (await this.dataSource.query(
      `SELECT resource FROM members WHERE workspace_id = $1 AND status = 'active' ORDER BY created_at, id`,
      [workspaceId],
    )) as { resource: MemberState }[];
    return { data: rows.map((row) => memberResource(row.resource)) };
  }

  async get(workspaceId: string, memberId: string): Promise<MemberResource> {
    const [row] = (await this.dataSource.query(
      `SELECT resource FROM members WHERE id = $1 AND workspace_id = $2 AND status = 'active'`,
      [memberId, workspaceId],
    )) as { resource: MemberState }[];
    return memberResource(this.found(row?.resource ?? null));
  }

  private found(member: MemberState | null): MemberState {
    if (member === null || member.status !== 'active')
      throw new ApiError('NOT_FOUND', 'member not found');
    return member;
  }

  /** Serialises role changes and removals in a workspace, so two cannot remove the last owners. */
  private async lockWorkspace(tx: EntityManager, workspaceId: string): Promise<void> {
    await tx.query('SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId]);
  }

  /** A workspace always keeps at least one owner. */
  private async assertOwnerRemains(tx: EntityManager, workspaceId: string): Promise<void> {
    const owners: unknown[] = await tx.query(
      `SELECT 1 FROM members WHERE workspace_id = $1 AND role = 'owner' AND status = 'active'`,
      [workspaceId],
    );
    if (owners.length === 0) throw new ApiError('CONFLICT', 'a workspace keeps at least one owner');
  }
}
