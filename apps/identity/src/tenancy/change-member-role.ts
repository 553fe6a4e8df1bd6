import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type MemberResource, type MemberRole } from '@keyway/contracts';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';
import { RevokeHandedOutKeys } from '../keys/revoke-handed-out-keys';
import { MembersService } from '../members/members.service';

/**
 * Changes a member's role. Its own keys follow the role at once (they are capped by it); the
 * management keys of others whose current secret it set and whose `keyway:*` scopes the new role
 * lacks are revoked in the same transaction (it may have kept a copy).
 */
@Injectable()
export class ChangeMemberRole {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: MembersService,
    private readonly handedOut: RevokeHandedOutKeys,
  ) {}

  execute(
    principal: Principal,
    memberId: string,
    role: MemberRole,
    context: EventContext,
  ): Promise<MemberResource> {
    return this.dataSource.transaction(async (tx) => {
      const member = await this.members.changeRole(principal, memberId, role, context, tx);
      await this.handedOut.after(tx, principal.workspaceId, memberId, role, context);
      return member;
    });
  }
}
