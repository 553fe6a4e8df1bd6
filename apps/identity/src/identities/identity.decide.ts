import { isDeepStrictEqual } from 'node:util';
import {
  type IdentityCreatedV1,
  type IdentityDeletedV1,
  type IdentityUpdatedV1,
  WORKSPACE_EVENT_TYPES,
} from '@keyway/contracts';
import { type Decider, withChanges } from '../event-store/decider';
import {
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../event-store/event-store';
import { IdentityError, IdentityErrorCode } from './identity.errors';

/** What a `PUT` sets: the whole identity but its ids. */
export type IdentitySettings = Pick<
  IdentityCreatedV1['data'],
  'scopes' | 'metadata' | 'rateLimits'
>;

export interface IdentityState extends IdentitySettings {
  identityId: string;
  workspaceId: string;
  externalId: string;
  status: 'active' | 'deleted';
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type IdentityCommand =
  | { kind: 'create'; identityId: string; externalId: string; settings: IdentitySettings }
  | { kind: 'replace'; settings: IdentitySettings }
  | { kind: 'delete' };

/** An identity event to append, by type. */
export type NewIdentityEvent = NewEventOf<
  IdentityCreatedV1 | IdentityUpdatedV1 | IdentityDeletedV1
>;
/** A recorded identity event, by type. */
export type RecordedIdentityEvent = RecordedEventOf<NewIdentityEvent>;

function requireIdentity(state: IdentityState | null): IdentityState {
  if (state === null || state.status !== 'active') throw IdentityError.notFound();
  return state;
}

/** Pure: the events an identity command produces at `now`, or a refusal. */
export function decideIdentity(
  command: IdentityCommand,
  state: IdentityState | null,
  now: Date,
): NewIdentityEvent[] {
  switch (command.kind) {
    case 'create': {
      // Any history at all: ids are never reused, not even a deleted identity's.
      if (state !== null) {
        throw new IdentityError(IdentityErrorCode.IDENTITY_EXISTS, 'the identity already exists');
      }
      const data: IdentityCreatedV1['data'] = {
        identityId: command.identityId,
        externalId: command.externalId,
        ...command.settings,
        createdAt: now.toISOString(),
      };
      return [{ type: WORKSPACE_EVENT_TYPES.identityCreated, data }];
    }
    case 'replace': {
      const identity = requireIdentity(state);
      const changed = (['scopes', 'metadata', 'rateLimits'] as const).filter(
        (field) => !isDeepStrictEqual(command.settings[field], identity[field]),
      );
      if (changed.length === 0) return [];
      const data: IdentityUpdatedV1['data'] = { externalId: identity.externalId };
      for (const field of changed) Object.assign(data, { [field]: command.settings[field] });
      return [{ type: WORKSPACE_EVENT_TYPES.identityUpdated, data }];
    }
    case 'delete': {
      const identity = requireIdentity(state);
      const data: IdentityDeletedV1['data'] = {
        externalId: identity.externalId,
        deletedAt: now.toISOString(),
      };
      return [{ type: WORKSPACE_EVENT_TYPES.identityDeleted, data }];
    }
  }
}

/** Pure: the identity after one of its events. */
export function evolveIdentity(
  state: IdentityState | null,
  event: RecordedIdentityEvent,
): IdentityState | null {
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.identityCreated:
      return {
        identityId: event.data.identityId,
        workspaceId: event.workspaceid,
        externalId: event.data.externalId,
        scopes: event.data.scopes,
        metadata: event.data.metadata,
        rateLimits: event.data.rateLimits,
        status: 'active',
        createdAt: event.data.createdAt,
        updatedAt: event.data.createdAt,
        version: 1,
      };
    case WORKSPACE_EVENT_TYPES.identityUpdated: {
      if (state === null) return null;
      const { scopes, metadata, rateLimits } = event.data;
      return {
        ...withChanges(state, { scopes, metadata, rateLimits }),
        updatedAt: event.time,
        version: state.version + 1,
      };
    }
    case WORKSPACE_EVENT_TYPES.identityDeleted:
      return (
        state && { ...state, status: 'deleted', updatedAt: event.time, version: state.version + 1 }
      );
  }
}

const IDENTITY_TYPES: ReadonlySet<string> = new Set([
  WORKSPACE_EVENT_TYPES.identityCreated,
  WORKSPACE_EVENT_TYPES.identityUpdated,
  WORKSPACE_EVENT_TYPES.identityDeleted,
]);

/** Whether a recorded event is an identity's, by its type (the store checked its contract). */
export function isIdentityEvent(event: RecordedEvent): event is RecordedIdentityEvent {
  return IDENTITY_TYPES.has(event.type);
}

/** The identity aggregate's pure logic. */
export const identityDecider: Decider<IdentityCommand, IdentityState, NewIdentityEvent> = {
  decide: decideIdentity,
  evolve: evolveIdentity,
  accepts: isIdentityEvent,
};
