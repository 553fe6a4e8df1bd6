import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { Aggregates, type Executed } from '../event-store/aggregates';
import { foldEvents } from '../event-store/decider';
import { type EventContext } from '../event-store/event-store';
import { type MemberCommand, memberDecider, type MemberState } from './member.decide';
import { MemberProjector } from './member.projector';

export interface MemberExecution {
  workspaceId: string;
  memberId: string;
  command: MemberCommand;
  context: EventContext;
  /** Checks on the current member before deciding (not run for a missing or removed one). */
  authorize?: (member: MemberState, tx: EntityManager) => void | Promise<void>;
  /** A new member with a fresh id: nothing to load. */
  isNew?: boolean;
}

/** Runs commands on member aggregates: load, decide, record, update the read model. */
@Injectable()
export class MemberAggregate {
  constructor(
    private readonly aggregates: Aggregates,
    private readonly projector: MemberProjector,
  ) {}

  /** One command on one member, in `tx` when given, else in a transaction of its own. */
  execute(execution: MemberExecution, tx?: EntityManager): Promise<Executed<MemberState>> {
    const { workspaceId, memberId, command, context, authorize } = execution;
    return this.aggregates.execute(
      {
        topic: TOPICS.workspaces,
        aggregateType: 'member',
        aggregateId: memberId,
        workspaceId,
        partitionKey: workspaceId, // the workspaces topic is keyed by workspace
        ...(execution.isNew ? { isNew: true } : {}),
        fold: (events) => foldEvents(memberDecider, events),
        workspaceOf: (member) => member.workspaceId,
        authorize: async (member, manager) => {
          if (member !== null && member.status === 'active') await authorize?.(member, manager);
        },
        decide: (member, now) => memberDecider.decide(command, member, now),
        project: (manager, event) => this.projector.apply(manager, event),
        context,
      },
      tx,
    );
  }
}
