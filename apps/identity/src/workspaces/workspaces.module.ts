import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { KeysModule } from '../keys/keys.module';
import { MembersModule } from '../members/members.module';
import { Bootstrap } from './bootstrap';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesService } from './workspaces.service';

@Module({
  imports: [EventStoreModule, KeysModule, MembersModule],
  controllers: [WorkspacesController],
  providers: [WorkspacesService, Bootstrap],
  exports: [Bootstrap],
})
export class WorkspacesModule {}
