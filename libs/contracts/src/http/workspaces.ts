import { z } from 'zod';
import { MemberKeysPolicy, WorkspacePrefix } from '../workspaces/workspace-fields';
import { KeyWithSecret, RateLimitInputs } from './keys';
import { MemberResource } from './members';

// The management API's workspace routes (`/v1/workspace`, `/v1/workspaces`) and the bootstrap.

const WorkspaceName = z.string().trim().min(1).max(200);

/** `POST /v1/workspaces` (platform admins). */
export const CreateWorkspaceRequest = z
  .strictObject({
    name: WorkspaceName,
    prefix: WorkspacePrefix.optional().meta({
      description: 'Key prefix, 2–12 lowercase letters. Default `kw`.',
    }),
    owner: z.strictObject({ email: z.email().max(320) }),
  })
  .meta({ id: 'CreateWorkspaceRequest' });
export type CreateWorkspaceRequest = z.input<typeof CreateWorkspaceRequest>;

/** `PATCH /v1/workspace`. */
export const UpdateWorkspaceRequest = z
  .strictObject({
    name: WorkspaceName.optional(),
    prefix: WorkspacePrefix.optional().meta({ description: 'Applies to keys issued from now on.' }),
    defaultRateLimits: RateLimitInputs.optional(),
    memberKeys: MemberKeysPolicy.optional().meta({
      description:
        '`none` (default): members use keys but cannot issue, change, rotate or revoke them (revoking their own stays allowed); `own`: members issue and manage their own keys.',
    }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' })
  .meta({ id: 'UpdateWorkspaceRequest' });
export type UpdateWorkspaceRequest = z.input<typeof UpdateWorkspaceRequest>;

/** The workspace resource (`GET /v1/workspace`). */
export const WorkspaceResource = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    defaultRateLimits: z.array(
      z.object({ name: z.string(), limit: z.number(), window: z.string() }),
    ),
    memberKeys: MemberKeysPolicy,
    createdAt: z.string().meta({ format: 'date-time' }),
    version: z.number().int(),
  })
  .meta({ id: 'Workspace' });
export type WorkspaceResource = z.infer<typeof WorkspaceResource>;

/** `POST /v1/workspaces`: the workspace, its owner and the owner's key (secret shown once). */
export const CreatedWorkspace = z
  .object({ workspace: WorkspaceResource, member: MemberResource, key: KeyWithSecret })
  .meta({ id: 'CreatedWorkspace' });
export type CreatedWorkspace = z.infer<typeof CreatedWorkspace>;

/** What `keyway bootstrap --json` prints: the first workspace, its owner and the owner key. */
export const BootstrapResult = z.object({
  workspaceId: z.string(),
  memberId: z.string(),
  key: z.string(),
});
export type BootstrapResult = z.infer<typeof BootstrapResult>;
