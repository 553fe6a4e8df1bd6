import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { Aggregates, type Executed } from '../event-store/aggregates';
import { foldEvents } from '../event-store/decider';
import { type EventContext } from '../event-store/event-store';
import { type IdentityCommand, identityDecider, type IdentityState } from './identity.decide';
import { IdentityProjector } from './identity.projector';

export interface IdentityExecution {
  workspaceId: string;
  identityId: string;
  command: IdentityCommand;
  context: EventContext;
  /** A new identity with a fresh id: nothing to load. */
  isNew?: boolean;
}

/** Runs commands on identity aggregates: load, decide, record, update the read model. */
@Injectable()
export class IdentityAggregate {
  constructor(
    private readonly aggregates: Aggregates,
    private readonly projector: IdentityProjector,
  ) {}

  /** One command on one identity, in `tx`. */
  execute(execution: IdentityExecution, tx: EntityManager): Promise<Executed<IdentityState>> {
    const { workspaceId, identityId, command, context } = execution;
    return this.aggregates.execute(
      {
        topic: TOPICS.workspaces,
        aggregateType: 'identity',
        aggregateId: identityId,
        workspaceId,
        partitionKey: workspaceId, // the workspaces topic is keyed by workspace
        ...(execution.isNew ? { isNew: true } : {}),
        fold: (events) => foldEvents(identityDecider, events),
        workspaceOf: (identity) => identity.workspaceId,
        decide: (identity, now) => identityDecider.decide(command, identity, now),
        project: (manager, event) => this.projector.apply(manager, event),
        context,
      },
      tx,
    );
  }
}
