import { type z } from 'zod';
import { changedFields, cloudEventSchema, refineNotFirst } from '../cloud-event';
import { RateLimits } from '../rate-limit';
import { WorkspaceId } from '../scalars';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';
import { MemberKeysPolicy, WorkspaceName, WorkspacePrefix } from './workspace-fields';

/**
 * Workspace settings changed; data holds only the changed fields. v2 adds `memberKeys` (the
 * workspace key policy); a workspace that never set it has `none`.
 */
export const WorkspaceUpdatedV2 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.workspaceUpdatedV2,
  changedFields({
    name: WorkspaceName,
    prefix: WorkspacePrefix,
    defaultRateLimits: RateLimits,
    memberKeys: MemberKeysPolicy,
  }),
)
  .extend({ subject: WorkspaceId })
  .superRefine(refineNotFirst)
  .superRefine((event, ctx) => {
    if (event.subject !== event.workspaceid) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal workspaceid' });
    }
  });
export type WorkspaceUpdatedV2 = z.infer<typeof WorkspaceUpdatedV2>;
