import { Counter, Gauge, Histogram, register } from 'prom-client';

// Get-or-create: a module loaded twice (tests build several apps in one process) must not
// register a metric twice. Batches, dead letters and lag are the `keyway_kafka_*` metrics of
// libs/platform/kafka, labelled with the consumer group.

export function counter(name: string, help: string, labelNames: string[] = []): Counter {
  return (
    (register.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export function histogram(name: string, help: string, labelNames: string[], buckets: number[]) {
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help, labelNames, buckets })
  );
}

export function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}

export const auditMetrics = {
  recordsAppended: counter(
    'keyway_audit_records_appended_total',
    'Records appended to the workspace chains (redeliveries are not), by source topic',
    ['topic'],
  ),
  batchSeconds: histogram(
    'keyway_audit_ingest_batch_seconds',
    'Time to apply one batch (one Postgres transaction), by source topic',
    ['topic'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  ),
};
