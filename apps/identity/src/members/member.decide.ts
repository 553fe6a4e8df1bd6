import {
  WORKSPACE_EVENT_TYPES,
  type MemberAddedV1,
  type MemberRemovedV1,
  type MemberRoleChangedV1,
} from '@keyway/contracts';
import { type Role } from '../auth/permissions';
import { type NewEvent } from '../event-store/event-store';

export interface MemberState {
  memberId: string;
  workspaceId: string;
  email: string;
  role: Role;
  status: 'active' | 'removed';
  createdAt: string;
  version: number;
}

export type MemberCommand =
  | { kind: 'add'; memberId: string; email: string; role: Role }
  | { kind: 'change-role'; role: Role }
  | { kind: 'remove' };

export class MemberRejected extends Error {
  constructor(
    readonly code: 'MEMBER_EXISTS' | 'MEMBER_NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'MemberRejected';
  }
}

function requireMember(state: MemberState | null): MemberState {
  if (state === null || state.status !== 'active')
    throw new MemberRejected('MEMBER_NOT_FOUND', 'member not found');
  return state;
}

/** Pure: the events a member command produces, or a refusal. */
export function decideMember(command: MemberCommand, state: MemberState | null): NewEvent[] {
  switch (command.kind) {
    case 'add': {
      if (state !== null) throw new MemberRejected('MEMBER_EXISTS', 'the member already exists');
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
      const data = { memberId: member.memberId } as MemberRemovedV1['data'];
      return [{ type: WORKSPACE_EVENT_TYPES.memberRemoved, data }];
    }
  }
}

/** Pure: the member after one of its events. */
export function evolveMember(
  state: MemberState | null,
  event: { type: string; data: unknown; time: string; workspaceid: string },
): MemberState | null {
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.memberAdded: {
      const data = event.data as MemberAddedV1['data'];
      return {
        memberId: data.memberId,
        workspaceId: event.workspaceid,
        email: data.email,
        role: data.role,
        status: 'active',
        createdAt: event.time,
        version: 1,
      };
    }
    case WORKSPACE_EVENT_TYPES.memberRoleChanged:
      return (
        state && {
          ...state,
          role: (event.data as MemberRoleChangedV1['data']).role,
          version: state.version + 1,
        }
      );
    case WORKSPACE_EVENT_TYPES.memberRemoved:
      return state && { ...state, status: 'removed', version: state.version + 1 };
    default:
      return state;
  }
}
