import { DomainError } from '@keyway/platform-observability';

export const WorkspaceErrorCode = {
  WORKSPACE_EXISTS: 'WORKSPACE_EXISTS',
  WORKSPACE_NOT_FOUND: 'WORKSPACE_NOT_FOUND',
} as const;
export type WorkspaceErrorCode = (typeof WorkspaceErrorCode)[keyof typeof WorkspaceErrorCode];

/** A workspace command or query refused. */
export class WorkspaceError extends DomainError<WorkspaceErrorCode> {
  static notFound(): WorkspaceError {
    return new WorkspaceError(WorkspaceErrorCode.WORKSPACE_NOT_FOUND, 'workspace not found');
  }
}
