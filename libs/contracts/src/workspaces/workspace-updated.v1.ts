import { type z } from 'zod';
import { changedFields, cloudEventSchema, refineNotFirst } from '../cloud-event';
import { RateLimits } from '../rate-limit';
import { WorkspaceId } from '../scalars';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';
import { WorkspaceName, WorkspacePrefix } from './workspace-fields';

/** Workspace settings changed; data holds only the changed fields. */
export const WorkspaceUpdatedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.workspaceUpdated,
  changedFields({ name: WorkspaceName, prefix: WorkspacePrefix, defaultRateLimits: RateLimits }),
)
  .extend({ subject: WorkspaceId })
  .superRefine(refineNotFirst)
  .superRefine((event, ctx) => {
    if (event.subject !== event.workspaceid) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal workspaceid' });
    }
  });
export type WorkspaceUpdatedV1 = z.infer<typeof WorkspaceUpdatedV1>;
