import { type WorkspaceState } from './workspace.decide';

export function workspaceResource(workspace: WorkspaceState) {
  return {
    id: workspace.workspaceId,
    name: workspace.name,
    prefix: workspace.prefix,
    defaultRateLimits: workspace.defaultRateLimits.map(({ name, limit, window }) => ({
      name,
      limit,
      window,
    })),
    createdAt: workspace.createdAt,
    version: workspace.version,
  };
}
export type WorkspaceResource = ReturnType<typeof workspaceResource>;
