import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { RateLimits } from '../rate-limit';
import { WorkspaceId } from '../scalars';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';
import { WorkspaceName, WorkspacePrefix } from './workspace-fields';

/** A workspace was created (subject = workspace id, sequence 1). */
export const WorkspaceCreatedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.workspaceCreated,
  z.strictObject({
    workspaceId: WorkspaceId,
    name: WorkspaceName,
    prefix: WorkspacePrefix,
    defaultRateLimits: RateLimits,
  }),
)
  .extend({ subject: WorkspaceId })
  .superRefine((event, ctx) => {
    if (event.sequence !== 1) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must be 1 for created' });
    }
    if (event.subject !== event.data.workspaceId || event.workspaceid !== event.data.workspaceId) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'subject and workspaceid must equal data.workspaceId',
      });
    }
  });
export type WorkspaceCreatedV1 = z.infer<typeof WorkspaceCreatedV1>;
