import { z } from 'zod';
import { cloudEventSchema, refineNotFirst } from '../cloud-event';
import { MemberId } from '../scalars';
import { WORKSPACE_EVENT_TYPES } from './workspace-event-types';

/** A member left the workspace. Always the member's last event. */
export const MemberRemovedV1 = cloudEventSchema(
  WORKSPACE_EVENT_TYPES.memberRemoved,
  z.strictObject({ memberId: MemberId }),
)
  .extend({ subject: MemberId })
  .superRefine(refineNotFirst)
  .superRefine((event, ctx) => {
    if (event.subject !== event.data.memberId) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.memberId' });
    }
  });
export type MemberRemovedV1 = z.infer<typeof MemberRemovedV1>;
