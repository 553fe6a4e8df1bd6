/** Every event type on `keyway.audit-alerts.v1`. */
export const ALERT_EVENT_TYPES = {
  raised: 'keyway.alert.raised.v1',
  resolved: 'keyway.alert.resolved.v1',
} as const;
