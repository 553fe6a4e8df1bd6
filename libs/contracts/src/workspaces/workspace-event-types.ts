/**
 * Every workspace, member and identity event type on `keyway.workspaces.v1`. Identity now emits
 * `keyway.workspace.updated.v2`; v1 stays readable for the history written before it.
 */
export const WORKSPACE_EVENT_TYPES = {
  workspaceCreated: 'keyway.workspace.created.v1',
  workspaceUpdated: 'keyway.workspace.updated.v1',
  workspaceUpdatedV2: 'keyway.workspace.updated.v2',
  memberAdded: 'keyway.member.added.v1',
  memberRoleChanged: 'keyway.member.role-changed.v1',
  memberRemoved: 'keyway.member.removed.v1',
  identityCreated: 'keyway.identity.created.v1',
  identityUpdated: 'keyway.identity.updated.v1',
  identityDeleted: 'keyway.identity.deleted.v1',
} as const;
