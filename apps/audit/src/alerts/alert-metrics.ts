import { counter, gauge } from '../metrics';

export const alertMetrics = {
  raised: counter('keyway_audit_alerts_raised_total', 'Alerts raised, by kind', ['kind']),
  resolved: counter('keyway_audit_alerts_resolved_total', 'Alerts resolved, by kind', ['kind']),
  suppressed: counter(
    'keyway_audit_alert_detections_suppressed_total',
    'Detections a suppression silenced (nothing raised or updated), by kind',
    ['kind'],
  ),
  pending: gauge(
    'keyway_audit_alert_events_pending',
    'Alert events not yet published (last batch of the relay)',
  ),
};
