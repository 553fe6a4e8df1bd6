import { z } from 'zod';
import { parseContract } from '../contract-violation';
import { TOPICS } from '../topics';
import { AlertRaisedV1 } from './alert-raised.v1';
import { AlertResolvedV1 } from './alert-resolved.v1';

/** Any event on `keyway.audit-alerts.v1`, discriminated by `type`. */
export const AlertEvent = z.discriminatedUnion('type', [AlertRaisedV1, AlertResolvedV1]);
export type AlertEvent = z.infer<typeof AlertEvent>;
export type AlertEventType = AlertEvent['type'];

/** Parses a `keyway.audit-alerts.v1` message (JSON value, string or bytes) or throws `ContractViolation`. */
export function parseAlertEvent(json: unknown): AlertEvent {
  return parseContract(AlertEvent, TOPICS.auditAlerts, json);
}
