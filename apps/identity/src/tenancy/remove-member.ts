import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';
import { RevokeHandedOutKeys } from '../keys/revoke-handed-out-keys';
import { RevokeKey } from '../keys/revoke-key';
import { MembersService } from '../members/members.service';

/**
 * Removes a member and revokes every key it owns, and the management keys of others whose current
 * secret it set (it may have kept a copy), in one transaction.
 */
@Injectable()
export class RemoveMember {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: MembersService,
    private readonly revokeKey: RevokeKey,
    private readonly handedOut: RevokeHandedOutKeys,
  ) {}

  async execute(principal: Principal, memberId: string, context: EventContext): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.members.remove(principal, memberId, context, tx);
      await this.revokeKey.allOwnedBy(tx, principal.workspaceId, memberId, context);
      await this.handedOut.after(tx, principal.workspaceId, memberId, null, context);
    });
  }
}
