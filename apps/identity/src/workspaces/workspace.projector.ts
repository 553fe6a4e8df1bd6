import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type RecordedEvent } from '../event-store/event-store';
import { evolveWorkspace, isWorkspaceEvent } from './workspace.decide';
import { WorkspacesRepository } from './workspaces.repository';

/**
 * Keeps the `workspaces` read model in step with the workspace's events, with the `evolve` the
 * decisions use. Runs in the transaction that appends (and in `ProjectionRebuild`).
 */
@Injectable()
export class WorkspaceProjector {
  constructor(private readonly workspaces: WorkspacesRepository) {}

  async apply(tx: EntityManager, event: RecordedEvent): Promise<void> {
    if (!isWorkspaceEvent(event)) return;
    const current = event.sequence === 1 ? null : await this.workspaces.findById(event.subject, tx);
    const workspace = evolveWorkspace(current, event);
    if (workspace !== null) await this.workspaces.save(tx, workspace);
  }
}
