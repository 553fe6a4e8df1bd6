import { z } from 'zod';
import { MemberRole } from '../workspaces/workspace-fields';

// The management API's member routes (`/v1/members`).

/** `POST /v1/members`. */
export const CreateMemberRequest = z
  .strictObject({ email: z.email().max(320), role: MemberRole })
  .meta({ id: 'CreateMemberRequest' });
export type CreateMemberRequest = z.input<typeof CreateMemberRequest>;

/** `PATCH /v1/members/{id}`. */
export const UpdateMemberRequest = z
  .strictObject({ role: MemberRole })
  .meta({ id: 'UpdateMemberRequest' });
export type UpdateMemberRequest = z.input<typeof UpdateMemberRequest>;

/** The member resource. */
export const MemberResource = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    email: z.string(),
    role: MemberRole,
    status: z.enum(['active', 'removed']),
    createdAt: z.string().meta({ format: 'date-time' }),
    version: z.number().int(),
  })
  .meta({ id: 'Member' });
export type MemberResource = z.infer<typeof MemberResource>;

/** `GET /v1/members`. */
export const MemberList = z.object({ data: z.array(MemberResource) }).meta({ id: 'MemberList' });
export type MemberList = z.infer<typeof MemberList>;
