import { isDeepStrictEqual } from 'node:util';
import {
  type MemberKeysPolicy,
  WORKSPACE_EVENT_TYPES,
  type WorkspaceCreatedV1,
  type WorkspaceUpdatedV1,
  type WorkspaceUpdatedV2,
} from '@keyway/contracts';
import { type Decider, withChanges } from '../event-store/decider';
import {
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../event-store/event-store';
import { WorkspaceError, WorkspaceErrorCode } from './workspace.errors';

export type WorkspaceData = WorkspaceCreatedV1['data'];

export interface WorkspaceState extends WorkspaceData {
  /** Who may issue keys; `none` until a `keyway.workspace.updated.v2` says otherwise. */
  memberKeys: MemberKeysPolicy;
  createdAt: string;
  version: number;
}

export type WorkspaceChanges = Partial<
  Pick<WorkspaceState, 'name' | 'prefix' | 'defaultRateLimits' | 'memberKeys'>
>;

export type WorkspaceCommand =
  | { kind: 'create'; data: WorkspaceData }
  | { kind: 'update'; changes: WorkspaceChanges };

/** A workspace event, by type: v1 updates are read from the history, v2 ones are written now. */
export type NewWorkspaceEvent = NewEventOf<
  WorkspaceCreatedV1 | WorkspaceUpdatedV1 | WorkspaceUpdatedV2
>;
/** A recorded workspace event, by type. */
export type RecordedWorkspaceEvent = RecordedEventOf<NewWorkspaceEvent>;

/** Pure: the events a workspace command produces at `now`, or a refusal. */
export function decideWorkspace(
  command: WorkspaceCommand,
  state: WorkspaceState | null,
  _now: Date,
): NewWorkspaceEvent[] {
  switch (command.kind) {
    case 'create':
      if (state !== null) {
        throw new WorkspaceError(
          WorkspaceErrorCode.WORKSPACE_EXISTS,
          'the workspace already exists',
        );
      }
      return [{ type: WORKSPACE_EVENT_TYPES.workspaceCreated, data: command.data }];
    case 'update': {
      if (state === null) throw WorkspaceError.notFound();
      const changed = Object.fromEntries(
        Object.entries(command.changes).filter(
          ([field, value]) =>
            value !== undefined && !isDeepStrictEqual(value, state[field as keyof WorkspaceState]),
        ),
      ) as WorkspaceUpdatedV2['data'];
      return Object.keys(changed).length === 0
        ? []
        : [{ type: WORKSPACE_EVENT_TYPES.workspaceUpdatedV2, data: changed }];
    }
  }
}

/** Pure: the workspace after one of its events. */
export function evolveWorkspace(
  state: WorkspaceState | null,
  event: RecordedWorkspaceEvent,
): WorkspaceState | null {
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.workspaceCreated:
      return { ...event.data, memberKeys: 'none', createdAt: event.time, version: 1 };
    case WORKSPACE_EVENT_TYPES.workspaceUpdated:
    case WORKSPACE_EVENT_TYPES.workspaceUpdatedV2:
      return state && withChanges({ ...state, version: state.version + 1 }, event.data);
  }
}

const WORKSPACE_TYPES: ReadonlySet<string> = new Set([
  WORKSPACE_EVENT_TYPES.workspaceCreated,
  WORKSPACE_EVENT_TYPES.workspaceUpdated,
  WORKSPACE_EVENT_TYPES.workspaceUpdatedV2,
]);

/**
 * Whether a recorded event is a workspace's own. By its type alone: the store checked every event
 * against its contract on the way in.
 */
export function isWorkspaceEvent(event: RecordedEvent): event is RecordedWorkspaceEvent {
  return WORKSPACE_TYPES.has(event.type);
}

/** The workspace aggregate's pure logic. */
export const workspaceDecider: Decider<WorkspaceCommand, WorkspaceState, NewWorkspaceEvent> = {
  decide: decideWorkspace,
  evolve: evolveWorkspace,
  accepts: isWorkspaceEvent,
};
