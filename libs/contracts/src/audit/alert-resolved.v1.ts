import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { IsoTimestamp } from '../scalars';
import { ALERT_EVENT_TYPES } from './alert-event-types';
import { AlertId, alertShape } from './alert-fields';

/**
 * An alert ended (its detector saw the quiet it waits for): the alert's final state. Subject is
 * the alert id, sequence 2, after the alert's `keyway.alert.raised.v1`.
 */
export const AlertResolvedV1 = cloudEventSchema(
  ALERT_EVENT_TYPES.resolved,
  z.strictObject({ ...alertShape, status: z.literal('resolved'), resolvedAt: IsoTimestamp }),
)
  .extend({ subject: AlertId, sequence: z.literal(2) })
  .superRefine((event, ctx) => {
    if (event.subject !== event.data.id) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.id' });
    }
  });
export type AlertResolvedV1 = z.infer<typeof AlertResolvedV1>;
