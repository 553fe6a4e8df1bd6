import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { ALERT_EVENT_TYPES } from './alert-event-types';
import { AlertId, alertShape } from './alert-fields';

/**
 * Audit raised an alert: the alert as it was raised (status `open`). The subject is the alert
 * id and the sequence 1; its end is `keyway.alert.resolved.v1`, sequence 2.
 */
export const AlertRaisedV1 = cloudEventSchema(
  ALERT_EVENT_TYPES.raised,
  z.strictObject({ ...alertShape, status: z.literal('open'), resolvedAt: z.null() }),
)
  .extend({ subject: AlertId, sequence: z.literal(1) })
  .superRefine((event, ctx) => {
    if (event.subject !== event.data.id) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.id' });
    }
  });
export type AlertRaisedV1 = z.infer<typeof AlertRaisedV1>;
