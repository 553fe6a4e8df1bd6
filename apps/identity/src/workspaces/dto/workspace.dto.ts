import { createZodDto } from 'nestjs-zod';
import { type z } from 'zod';
import {
  CreatedWorkspace,
  CreateWorkspaceRequest,
  UpdateWorkspaceRequest,
  WorkspaceResource,
} from '@keyway/contracts';

// The workspace schemas of @keyway/contracts as Nest DTOs (validation pipe and OpenAPI).

export type UpdateWorkspaceCommand = z.output<typeof UpdateWorkspaceRequest>;

export class CreateWorkspaceDto extends createZodDto(CreateWorkspaceRequest) {}
export class UpdateWorkspaceDto extends createZodDto(UpdateWorkspaceRequest) {}
export class WorkspaceDto extends createZodDto(WorkspaceResource) {}
export class CreatedWorkspaceDto extends createZodDto(CreatedWorkspace) {}
