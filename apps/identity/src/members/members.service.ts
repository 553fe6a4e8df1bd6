import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type MemberList, type MemberResource, type MemberRole } from '@keyway/contracts';
import { assertCanGrantRole } from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { type EventContext } from '../event-store/event-store';
import { newId } from '../ids';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { MemberAggregate } from './member-aggregate';
import { type MemberState } from './member.decide';
import { MemberError, MemberErrorCode } from './member.errors';
import { memberResource } from './member-resource';
import { MembersRepository } from './members.repository';

/**
 * Adding, re-roling and removing members, and reading them. A removed member's keys are revoked
 * with it: `tenancy/remove-member.ts` runs both in one transaction.
 */
@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregate: MemberAggregate,
    private readonly members: MembersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly clock: Clock,
  ) {}

  /** `principal` null: the system (bootstrap, workspace creation). */
  async add(
    workspaceId: string,
    email: string,
    role: MemberRole,
    context: EventContext,
    principal: Principal | null,
    manager?: EntityManager,
  ): Promise<MemberResource> {
    if (principal !== null) assertCanGrantRole(principal, role);
    const work = async (tx: EntityManager) => {
      // Two adds of one email cannot both pass the check.
      await this.workspaces.lockForMemberChange(tx, workspaceId);
      if (await this.members.existsActiveWithEmail(tx, workspaceId, email)) {
        throw new MemberError(
          MemberErrorCode.MEMBER_EMAIL_TAKEN,
          'a member with this email exists',
          { field: 'email' },
        );
      }
      const memberId = newId('mem', this.clock.now());
      const { state } = await this.aggregate.execute(
        {
          workspaceId,
          memberId,
          command: { kind: 'add', memberId, email, role },
          context,
          isNew: true,
        },
        tx,
      );
      return memberResource(this.found(state));
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** In `manager`'s transaction when given (the caller revokes what the new role no longer covers). */
  async changeRole(
    principal: Principal,
    memberId: string,
    role: MemberRole,
    context: EventContext,
    manager?: EntityManager,
  ): Promise<MemberResource> {
    assertCanGrantRole(principal, role);
    const work = async (tx: EntityManager) => {
      await this.workspaces.lockForMemberChange(tx, principal.workspaceId);
      const { state } = await this.aggregate.execute(
        {
          workspaceId: principal.workspaceId,
          memberId,
          command: { kind: 'change-role', role },
          context,
          // Nobody demotes someone above them.
          authorize: (member) => assertCanGrantRole(principal, member.role),
        },
        tx,
      );
      await this.assertOwnerRemains(tx, principal.workspaceId);
      return memberResource(this.found(state));
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** Removes the member, in `tx`; the caller revokes its keys in the same transaction. */
  async remove(
    principal: Principal,
    memberId: string,
    context: EventContext,
    tx: EntityManager,
  ): Promise<void> {
    await this.workspaces.lockForMemberChange(tx, principal.workspaceId);
    await this.aggregate.execute(
      {
        workspaceId: principal.workspaceId,
        memberId,
        command: { kind: 'remove' },
        context,
        authorize: (member) => assertCanGrantRole(principal, member.role),
      },
      tx,
    );
    await this.assertOwnerRemains(tx, principal.workspaceId);
  }

  async list(workspaceId: string): Promise<MemberList> {
    return { data: (await this.members.listActive(workspaceId)).map(memberResource) };
  }

  async get(workspaceId: string, memberId: string): Promise<MemberResource> {
    return memberResource(this.found(await this.members.findActive(workspaceId, memberId)));
  }

  private found(member: MemberState | null): MemberState {
    if (member === null || member.status !== 'active') throw MemberError.notFound();
    return member;
  }

  /** A workspace always keeps at least one owner. */
  private async assertOwnerRemains(tx: EntityManager, workspaceId: string): Promise<void> {
    if (!(await this.members.hasActiveOwner(tx, workspaceId))) {
      throw new MemberError(MemberErrorCode.LAST_OWNER, 'a workspace keeps at least one owner');
    }
  }
}
