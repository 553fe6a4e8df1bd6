import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { MemberId } from '../scalars';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';
import { MemberRole } from './workspace-fields';

/** A member joined the workspace `workspaceid` (subject = member id, sequence 1). */
export const MemberAddedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.memberAdded,
  z.strictObject({ memberId: MemberId, email: z.email().max(320), role: MemberRole }),
)
  .extend({ subject: MemberId })
  .superRefine((event, ctx) => {
    if (event.sequence !== 1) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must be 1 for added' });
    }
    if (event.subject !== event.data.memberId) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.memberId' });
    }
  });
export type MemberAddedV1 = z.infer<typeof MemberAddedV1>;
