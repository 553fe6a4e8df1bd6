import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { Aggregates, type Executed } from '../event-store/aggregates';
import { foldEvents } from '../event-store/decider';
import { type EventContext } from '../event-store/event-store';
import { type WorkspaceCommand, workspaceDecider, type WorkspaceState } from './workspace.decide';
import { WorkspaceProjector } from './workspace.projector';

export interface WorkspaceExecution {
  workspaceId: string;
  command: WorkspaceCommand;
  context: EventContext;
  /** A new workspace with a fresh id: nothing to load. */
  isNew?: boolean;
}

/** Runs commands on workspace aggregates: load, decide, record, update the read model. */
@Injectable()
export class WorkspaceAggregate {
  constructor(
    private readonly aggregates: Aggregates,
    private readonly projector: WorkspaceProjector,
  ) {}

  /** One command on one workspace, in `tx` when given, else in a transaction of its own. */
  execute(execution: WorkspaceExecution, tx?: EntityManager): Promise<Executed<WorkspaceState>> {
    const { workspaceId, command, context } = execution;
    return this.aggregates.execute(
      {
        topic: TOPICS.workspaces,
        aggregateType: 'workspace',
        aggregateId: workspaceId,
        workspaceId,
        ...(execution.isNew ? { isNew: true } : {}),
        fold: (events) => foldEvents(workspaceDecider, events),
        workspaceOf: (workspace) => workspace.workspaceId,
        decide: (state, now) => workspaceDecider.decide(command, state, now),
        project: (manager, event) => this.projector.apply(manager, event),
        context,
      },
      tx,
    );
  }
}
