import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { MemberAggregate } from './member-aggregate';
import { MemberProjector } from './member.projector';
import { MembersController } from './members.controller';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';

/** Members: the aggregate, its read model, `/v1/members` (removal: `tenancy/`). */
@Module({
  imports: [EventStoreModule, WorkspacesModule],
  controllers: [MembersController],
  providers: [MemberAggregate, MemberProjector, MembersRepository, MembersService],
  exports: [MemberProjector, MembersRepository, MembersService],
})
export class MembersModule {}
