import { isDeepStrictEqual } from 'node:util';
import {
  WORKSPACE_EVENT_TYPES,
  type WorkspaceCreatedV1,
  type WorkspaceUpdatedV1,
} from '@keyway/contracts';
import { type NewEvent } from '../event-store/event-store';

export type WorkspaceData = WorkspaceCreatedV1['data'];

export interface WorkspaceState extends WorkspaceData {
  createdAt: string;
  version: number;
}

export type WorkspaceChanges = Partial<
  Pick<WorkspaceData, 'name' | 'prefix' | 'defaultRateLimits'>
>;

export type WorkspaceCommand =
  | { kind: 'create'; data: WorkspaceData }
  | { kind: 'update'; changes: WorkspaceChanges };

export class WorkspaceRejected extends Error {
  constructor(
    readonly code: 'WORKSPACE_EXISTS' | 'WORKSPACE_NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'WorkspaceRejected';
  }
}

/** Pure: the events a workspace command produces, or a refusal. */
export function decideWorkspace(
  command: WorkspaceCommand,
  state: WorkspaceState | null,
): NewEvent[] {
  switch (command.kind) {
    case 'create':
      if (state !== null)
        throw new WorkspaceRejected('WORKSPACE_EXISTS', 'the workspace already exists');
      return [{ type: WORKSPACE_EVENT_TYPES.workspaceCreated, data: command.data }];
    case 'update': {
      if (state === null) throw new WorkspaceRejected('WORKSPACE_NOT_FOUND', 'workspace not found');
      const changed = Object.fromEntries(
        Object.entries(command.changes).filter(
          ([field, value]) =>
            value !== undefined && !isDeepStrictEqual(value, state[field as keyof WorkspaceState]),
        ),
      ) as WorkspaceUpdatedV1['data'];
      return Object.keys(changed).length === 0
        ? []
        : [{ type: WORKSPACE_EVENT_TYPES.workspaceUpdated, data: changed }];
    }
  }
}

/** Pure: the workspace after one of its events. */
export function evolveWorkspace(
  state: WorkspaceState | null,
  event: { type: string; data: unknown; time: string },
): WorkspaceState | null {
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.workspaceCreated:
      return { ...(event.data as WorkspaceData), createdAt: event.time, version: 1 };
    case WORKSPACE_EVENT_TYPES.workspaceUpdated:
      return (
        state &&
        ({
          ...state,
          ...(event.data as WorkspaceUpdatedV1['data']),
          version: state.version + 1,
        } as WorkspaceState)
      );
    default:
      return state;
  }
}
