import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { WorkspaceAggregate } from './workspace-aggregate';
import { WorkspaceProjector } from './workspace.projector';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesRepository } from './workspaces.repository';
import { WorkspacesService } from './workspaces.service';

/** Workspaces: the aggregate, its read model, `GET|PATCH /v1/workspace`. */
@Module({
  imports: [EventStoreModule],
  controllers: [WorkspacesController],
  providers: [WorkspaceAggregate, WorkspaceProjector, WorkspacesRepository, WorkspacesService],
  exports: [WorkspaceProjector, WorkspacesRepository, WorkspacesService],
})
export class WorkspacesModule {}
