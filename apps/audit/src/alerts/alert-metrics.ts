import { Counter, Gauge, register } from 'prom-client';

// Get-or-create: tests build several apps in one process; a metric must not register twice.
const counter = (name: string, help: string): Counter =>
  (register.getSingleMetric(name) as Counter | undefined) ??
  new Counter({ name, help, labelNames: ['kind'] });

export const alertMetrics = {
  raised: counter('keyway_audit_alerts_raised_total', 'Alerts raised, by kind'),
  resolved: counter('keyway_audit_alerts_resolved_total', 'Alerts resolved, by kind'),
  suppressed: counter(
    'keyway_audit_alert_detections_suppressed_total',
    'Detections a suppression silenced (nothing raised or updated), by kind',
  ),
  pending:
    (register.getSingleMetric('keyway_audit_alert_events_pending') as Gauge | undefined) ??
    new Gauge({
      name: 'keyway_audit_alert_events_pending',
      help: 'Alert events not yet published (last batch of the relay)',
    }),
};
