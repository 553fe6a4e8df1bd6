import { createZodDto } from 'nestjs-zod';
import {
  CreateMemberRequest,
  MemberList,
  MemberResource,
  UpdateMemberRequest,
} from '@keyway/contracts';

// The `/v1/members` schemas of @keyway/contracts as Nest DTOs (validation pipe and OpenAPI).

export class CreateMemberDto extends createZodDto(CreateMemberRequest) {}
export class UpdateMemberDto extends createZodDto(UpdateMemberRequest) {}
export class MemberDto extends createZodDto(MemberResource) {}
export class MemberListDto extends createZodDto(MemberList) {}
