import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { WorkspacePrefix } from '@keyway/contracts';
import { RateLimitInput } from '../../keys/dto/create-key.request';
import { KeyWithSecretSchema } from '../../keys/dto/key.response';
import { MemberSchema } from '../../members/dto/member.dto';

const WorkspaceName = z.string().trim().min(1).max(200);

export const CreateWorkspaceRequest = z
  .strictObject({
    name: WorkspaceName,
    prefix: WorkspacePrefix.optional().meta({
      description: 'Key prefix, 2–12 lowercase letters. Default `kw`.',
    }),
    owner: z.strictObject({ email: z.email().max(320) }),
  })
  .meta({ id: 'CreateWorkspaceRequest' });
export class CreateWorkspaceDto extends createZodDto(CreateWorkspaceRequest) {}

export const UpdateWorkspaceRequest = z
  .strictObject({
    name: WorkspaceName.optional(),
    prefix: WorkspacePrefix.optional().meta({ description: 'Applies to keys issued from now on.' }),
    defaultRateLimits: z.array(RateLimitInput).max(20).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' })
  .meta({ id: 'UpdateWorkspaceRequest' });
export class UpdateWorkspaceDto extends createZodDto(UpdateWorkspaceRequest) {}

export const WorkspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    defaultRateLimits: z.array(
      z.object({ name: z.string(), limit: z.number(), window: z.string() }),
    ),
    createdAt: z.string().meta({ format: 'date-time' }),
    version: z.number().int(),
  })
  .meta({ id: 'Workspace' });
export class WorkspaceDto extends createZodDto(WorkspaceSchema) {}

export const CreatedWorkspaceSchema = z
  .object({ workspace: WorkspaceSchema, member: MemberSchema, key: KeyWithSecretSchema })
  .meta({ id: 'CreatedWorkspace' });
export class CreatedWorkspaceDto extends createZodDto(CreatedWorkspaceSchema) {}
