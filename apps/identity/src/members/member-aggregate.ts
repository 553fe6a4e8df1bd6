import { type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { type ExecuteRequest } from '../event-store/aggregates';
import { type EventContext, type RecordedEvent } from '../event-store/event-store';
import { decideMember, evolveMember, type MemberCommand, type MemberState } from './member.decide';

/** An `Aggregates.execute` request for one command on one member. */
export function memberCommand(
  workspaceId: string,
  memberId: string,
  command: MemberCommand,
  context: EventContext,
  authorize?: (member: MemberState, tx: EntityManager) => void | Promise<void>,
): ExecuteRequest<MemberState> {
  return {
    topic: TOPICS.workspaces,
    aggregateType: 'member',
    aggregateId: memberId,
    workspaceId,
    partitionKey: workspaceId, // the workspaces topic is keyed by workspace
    fold: (events: readonly RecordedEvent[]) =>
      events.reduce<MemberState | null>(evolveMember, null),
    workspaceOf: (member) => member.workspaceId,
    authorize: async (member, tx) => {
      if (member !== null && member.status === 'active') await authorize?.(member, tx);
    },
    decide: (member) => decideMember(command, member),
    context,
  };
}
