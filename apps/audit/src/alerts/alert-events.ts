import { randomUUID } from 'node:crypto';
import { AlertRaisedV1, AlertResolvedV1 } from '@keyway/contracts';
import { type Alert, alertResource } from './alert';

/**
 * The event about an alert: `keyway.alert.raised.v1` (sequence 1) for an open one,
 * `keyway.alert.resolved.v1` (sequence 2) for a resolved one. Checked against its contract, so
 * nothing that does not fit it is ever stored for publishing.
 */
export function alertEvent(alert: Alert): AlertRaisedV1 | AlertResolvedV1 {
  const { workspaceId, ...data } = alertResource(alert);
  const envelope = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/keyway/audit',
    subject: alert.id,
    datacontenttype: 'application/json',
    workspaceid: workspaceId,
    actor: 'system',
  } as const;
  return alert.resolvedAt === null
    ? AlertRaisedV1.parse({
        ...envelope,
        type: 'keyway.alert.raised.v1',
        time: data.raisedAt,
        sequence: 1,
        data,
      })
    : AlertResolvedV1.parse({
        ...envelope,
        type: 'keyway.alert.resolved.v1',
        time: data.resolvedAt,
        sequence: 2,
        data,
      });
}
