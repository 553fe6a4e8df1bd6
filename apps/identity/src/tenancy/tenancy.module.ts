import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { MembersModule } from '../members/members.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Bootstrap } from './bootstrap';
import { ChangeMemberRole } from './change-member-role';
import { ChangeMemberRoleController } from './change-member-role.controller';
import { CreateWorkspace } from './create-workspace';
import { CreateWorkspaceController } from './create-workspace.controller';
import { DeleteIdentity } from './delete-identity';
import { DeleteIdentityController } from './delete-identity.controller';
import { RemoveMember } from './remove-member';
import { RemoveMemberController } from './remove-member.controller';

/**
 * Changes that span aggregates: a workspace created with its owner and the owner's key (and the
 * bootstrap, which creates the first), a member's role changed or the member removed with the keys
 * that follow, an identity deleted with its keys.
 */
@Module({
  imports: [WorkspacesModule, MembersModule, IdentitiesModule, KeysModule],
  controllers: [
    CreateWorkspaceController,
    ChangeMemberRoleController,
    RemoveMemberController,
    DeleteIdentityController,
  ],
  providers: [CreateWorkspace, Bootstrap, ChangeMemberRole, RemoveMember, DeleteIdentity],
  exports: [Bootstrap],
})
export class TenancyModule {}
