import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { MemberId } from '../scalars';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';
import { MemberRole } from './workspace-fields';

/** A member's role changed; keys issued to the member are bounded by the new role at once. */
export const MemberRoleChangedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.memberRoleChanged,
  z
    .strictObject({ memberId: MemberId, role: MemberRole, previousRole: MemberRole })
    .refine((data) => data.role !== data.previousRole, {
      path: ['role'],
      message: 'must differ from previousRole',
    }),
)
  .extend({ subject: MemberId })
  .superRefine(refineNotFirst)
  .superRefine((event, ctx) => {
    if (event.subject !== event.data.memberId) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.memberId' });
    }
  });
export type MemberRoleChangedV1 = z.infer<typeof MemberRoleChangedV1>;
