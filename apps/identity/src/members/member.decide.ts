import {
  WORKSPACE_EVENT_TYPES,
  type MemberAddedV1,
  type MemberRemovedV1,
  type MemberRole,
  type MemberRoleChangedV1,
} from '@keyway/contracts';
import { type Decider } from '../event-store/decider';
import {
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../event-store/event-store';
import { MemberError, MemberErrorCode } from './member.errors';

export interface MemberState {
  memberId: string;
  workspaceId: string;
  email: string;
  role: MemberRole;
  status: 'active' | 'removed';
  createdAt: string;
  version: number;
}

export type MemberCommand =
  | { kind: 'add'; memberId: string; email: string; role: MemberRole }
  | { kind: 'change-role'; role: MemberRole }
  | { kind: 'remove' };

/** A member event to append, by type. */
export type NewMemberEvent = NewEventOf<MemberAddedV1 | MemberRoleChangedV1 | MemberRemovedV1>;
/** A recorded member event, by type. */
export type RecordedMemberEvent = RecordedEventOf<NewMemberEvent>;

function requireMember(state: MemberState | null): MemberState {
  if (state === null || state.status !== 'active') throw MemberError.notFound();
  return state;
}

/** Pure: the events a member command produces at `now`, or a refusal. */
export function decideMember(
  command: MemberCommand,
  state: MemberState | null,
  _now: Date,
): NewMemberEvent[] {
  switch (command.kind) {
    case 'add': {
      if (state !== null) {
        throw new MemberError(MemberErrorCode.MEMBER_EXISTS, 'the member already exists');
      }
      const data: MemberAddedV1['data'] = {
        memberId: command.memberId,
        email: command.email,
        role: command.role,
      };
      return [{ type: WORKSPACE_EVENT_TYPES.memberAdded, data }];
    }
    case 'change-role': {
      const member = requireMember(state);
      if (member.role === command.role) return [];
      const data: MemberRoleChangedV1['data'] = {
        memberId: member.memberId,
        role: command.role,
        previousRole: member.role,
      };
      return [{ type: WORKSPACE_EVENT_TYPES.memberRoleChanged, data }];
    }
    case 'remove': {
      const member = requireMember(state);
      const data: MemberRemovedV1['data'] = { memberId: member.memberId };
      return [{ type: WORKSPACE_EVENT_TYPES.memberRemoved, data }];
    }
  }
}

/** Pure: the member after one of its events. */
export function evolveMember(
  state: MemberState | null,
  event: RecordedMemberEvent,
): MemberState | null {
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.memberAdded:
      return {
        memberId: event.data.memberId,
        workspaceId: event.workspaceid,
        email: event.data.email,
        role: event.data.role,
        status: 'active',
        createdAt: event.time,
        version: 1,
      };
    case WORKSPACE_EVENT_TYPES.memberRoleChanged:
      return state && { ...state, role: event.data.role, version: state.version + 1 };
    case WORKSPACE_EVENT_TYPES.memberRemoved:
      return state && { ...state, status: 'removed', version: state.version + 1 };
  }
}

const MEMBER_TYPES: ReadonlySet<string> = new Set([
  WORKSPACE_EVENT_TYPES.memberAdded,
  WORKSPACE_EVENT_TYPES.memberRoleChanged,
  WORKSPACE_EVENT_TYPES.memberRemoved,
]);

/**
 * Whether a recorded event is a member's. By its type alone: the store checked every event
 * against its contract on the way in.
 */
export function isMemberEvent(event: RecordedEvent): event is RecordedMemberEvent {
  return MEMBER_TYPES.has(event.type);
}

/** The member aggregate's pure logic. */
export const memberDecider: Decider<MemberCommand, MemberState, NewMemberEvent> = {
  decide: decideMember,
  evolve: evolveMember,
  accepts: isMemberEvent,
};
