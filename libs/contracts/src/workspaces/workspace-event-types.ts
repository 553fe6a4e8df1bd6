/** Every workspace and member event type on `keyway.workspaces.v1`. */
export const WORKSPACE_EVENT_TYPES = {
  workspaceCreated: 'keyway.workspace.created.v1',
  workspaceUpdated: 'keyway.workspace.updated.v1',
  memberAdded: 'keyway.member.added.v1',
  memberRoleChanged: 'keyway.member.role-changed.v1',
  memberRemoved: 'keyway.member.removed.v1',
} as const;
