import { z } from 'zod';
import { parseContract } from '../contract-violation';
import { TOPICS } from '../topics';
import { MemberAddedV1 } from './member-added.v1';
import { MemberRemovedV1 } from './member-removed.v1';
import { MemberRoleChangedV1 } from './member-role-changed.v1';
import { WorkspaceCreatedV1 } from './workspace-created.v1';
import { WorkspaceUpdatedV1 } from './workspace-updated.v1';
import { WorkspaceUpdatedV2 } from './workspace-updated.v2';
import { IdentityCreatedV1 } from './identity-created.v1';
import { IdentityDeletedV1 } from './identity-deleted.v1';
import { IdentityUpdatedV1 } from './identity-updated.v1';

/** Any event on `keyway.workspaces.v1`, discriminated by `type`. */
export const WorkspaceEvent = z.discriminatedUnion('type', [
  WorkspaceCreatedV1,
  WorkspaceUpdatedV1,
  MemberAddedV1,
  MemberRoleChangedV1,
  MemberRemovedV1,
  WorkspaceUpdatedV2,
  IdentityCreatedV1,
  IdentityUpdatedV1,
  IdentityDeletedV1,
]);
export type WorkspaceEvent = z.infer<typeof WorkspaceEvent>;
export type WorkspaceEventType = WorkspaceEvent['type'];

/** Parses a `keyway.workspaces.v1` message (JSON value, string or bytes) or throws `ContractViolation`. */
export function parseWorkspaceEvent(json: unknown): WorkspaceEvent {
  return parseContract(WorkspaceEvent, TOPICS.workspaces, json);
}
