import { type WorkspaceResource } from '@keyway/contracts';
import { type WorkspaceState } from './workspace.decide';

export function workspaceResource(workspace: WorkspaceState): WorkspaceResource {
  return {
    id: workspace.workspaceId,
    name: workspace.name,
    prefix: workspace.prefix,
    defaultRateLimits: workspace.defaultRateLimits.map(({ name, limit, window }) => ({
      name,
      limit,
      window,
    })),
    memberKeys: workspace.memberKeys,
    createdAt: workspace.createdAt,
    version: workspace.version,
  };
}
