import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ROLES } from '../../auth/permissions';

export const CreateMemberRequest = z
  .strictObject({ email: z.email().max(320), role: z.enum(ROLES) })
  .meta({ id: 'CreateMemberRequest' });
export class CreateMemberDto extends createZodDto(CreateMemberRequest) {}

export const UpdateMemberRequest = z
  .strictObject({ role: z.enum(ROLES) })
  .meta({ id: 'UpdateMemberRequest' });
export class UpdateMemberDto extends createZodDto(UpdateMemberRequest) {}

export const MemberSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    status: z.enum(['active', 'removed']),
    createdAt: z.string().meta({ format: 'date-time' }),
    version: z.number().int(),
  })
  .meta({ id: 'Member' });
export class MemberDto extends createZodDto(MemberSchema) {}

export const MemberListSchema = z
  .object({ data: z.array(MemberSchema) })
  .meta({ id: 'MemberList' });
export class MemberListDto extends createZodDto(MemberListSchema) {}
