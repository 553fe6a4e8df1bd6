import {
  ContractViolation,
  TOPICS,
  WORKSPACE_EVENT_TYPES,
  parseKeyEvent,
  parseWorkspaceEvent,
  type WorkspaceEvent,
} from '@keyway/contracts';
import { identityRecordChange, type IdentityRecordChange } from './identity-record-change';
import { keyRecordChange, type KeyRecordChange } from './key-record-change';
import { type MemberChange } from './projection.store';

/** A message of a projected topic, decoded into what it changes, or why it never can. */
export type DecodedMessage =
  | { readonly kind: 'key'; readonly change: KeyRecordChange }
  | { readonly kind: 'member'; readonly change: MemberChange }
  | { readonly kind: 'identity'; readonly change: IdentityRecordChange }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'poison'; readonly reason: string };

/** Pure: parses a message with its topic's contract and maps it to a projection change. */
export function decodeMessage(topic: string, value: string): DecodedMessage {
  try {
    if (topic === TOPICS.keys)
      return { kind: 'key', change: keyRecordChange(parseKeyEvent(value)) };
    if (topic === TOPICS.workspaces) return memberChange(parseWorkspaceEvent(value));
    return { kind: 'poison', reason: `not a projected topic: ${topic}` };
  } catch (error) {
    if (error instanceof ContractViolation) return { kind: 'poison', reason: error.message };
    throw error;
  }
}

function memberChange(event: WorkspaceEvent): DecodedMessage {
  const base = { memberId: event.subject, sequence: event.sequence };
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.memberAdded:
    case WORKSPACE_EVENT_TYPES.memberRoleChanged:
      return { kind: 'member', change: { ...base, role: event.data.role } };
    case WORKSPACE_EVENT_TYPES.memberRemoved:
      return { kind: 'member', change: { ...base, role: 'removed' } };
    case WORKSPACE_EVENT_TYPES.identityCreated:
    case WORKSPACE_EVENT_TYPES.identityUpdated:
    case WORKSPACE_EVENT_TYPES.identityDeleted:
      return { kind: 'identity', change: identityRecordChange(event) };
    case WORKSPACE_EVENT_TYPES.workspaceCreated:
    case WORKSPACE_EVENT_TYPES.workspaceUpdated:
    case WORKSPACE_EVENT_TYPES.workspaceUpdatedV2:
      return { kind: 'ignored' };
  }
}
