import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { IpAddress, IsoTimestamp, KeyId, WorkspaceId } from '../scalars';
import { USAGE_EVENT_TYPES } from './usage-event-types';
import { VERIFICATION_CODES, VerificationCode } from './verification-code';

/**
 * One gateway replica's verifications of one key over a short window. `keyId` and
 * `workspaceId` are null when the key was malformed or unknown. The subject is the replica's
 * usage stream (e.g. `gateway/<pod>/<boot uuid>`) and `sequence` numbers that stream's events,
 * so `(subject, sequence)` stays the idempotency key; `workspaceid` is absent when unknown.
 */
export const UsageAggregatedV1 = cloudEventSchema(
  USAGE_EVENT_TYPES.aggregated,
  z
    .strictObject({
      keyId: KeyId.nullable(),
      workspaceId: WorkspaceId.nullable(),
      windowStart: IsoTimestamp,
      windowEnd: IsoTimestamp,
      counts: z.record(VerificationCode, z.int().min(0)).meta({
        description: 'Verifications per outcome code; every code present.',
        required: [...VERIFICATION_CODES],
      }),
      firstSeenAt: IsoTimestamp,
      lastSeenAt: IsoTimestamp,
      clientAddresses: z
        .array(IpAddress)
        .meta({ description: 'Distinct client addresses seen in the window.' }),
    })
    .superRefine((data, ctx) => {
      if (Date.parse(data.windowEnd) < Date.parse(data.windowStart)) {
        ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: 'must not precede start' });
      }
      if (Date.parse(data.lastSeenAt) < Date.parse(data.firstSeenAt)) {
        ctx.addIssue({ code: 'custom', path: ['lastSeenAt'], message: 'must not precede first' });
      }
      if (Object.values(data.counts).every((count) => count === 0)) {
        ctx.addIssue({ code: 'custom', path: ['counts'], message: 'must count something' });
      }
    }),
)
  .extend({
    subject: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/)
      .meta({ description: "The emitting gateway replica's usage stream." }),
    workspaceid: WorkspaceId.optional(),
  })
  .superRefine((event, ctx) => {
    if ((event.workspaceid ?? null) !== event.data.workspaceId) {
      ctx.addIssue({
        code: 'custom',
        path: ['workspaceid'],
        message: 'must equal data.workspaceId, absent when null',
      });
    }
  });
export type UsageAggregatedV1 = z.infer<typeof UsageAggregatedV1>;
