import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { MembersModule } from '../members/members.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Bootstrap } from './bootstrap';
import { CreateWorkspace } from './create-workspace';
import { CreateWorkspaceController } from './create-workspace.controller';
import { RemoveMember } from './remove-member';
import { RemoveMemberController } from './remove-member.controller';

/**
 * Changes that span aggregates: a workspace created with its owner and the owner's key (and the
 * bootstrap, which creates the first), a member removed with its keys.
 */
@Module({
  imports: [WorkspacesModule, MembersModule, KeysModule],
  controllers: [CreateWorkspaceController, RemoveMemberController],
  providers: [CreateWorkspace, Bootstrap, RemoveMember],
  exports: [Bootstrap],
})
export class TenancyModule {}
