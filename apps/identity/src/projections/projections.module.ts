import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { IdentitiesModule } from '../identities/identities.module';
import { KeysModule } from '../keys/keys.module';
import { MembersModule } from '../members/members.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { ProjectionRebuild } from './projection-rebuild';

/** The read models' rebuild from the event store (an operator command). */
@Module({
  imports: [EventStoreModule, WorkspacesModule, MembersModule, IdentitiesModule, KeysModule],
  providers: [ProjectionRebuild],
  exports: [ProjectionRebuild],
})
export class ProjectionsModule {}
