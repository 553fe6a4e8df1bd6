import { Counter, Gauge, register } from 'prom-client';

// Get-or-create: a module loaded twice (tests build several apps in one process) must not
// register a metric twice.

export function counter(name: string, help: string, labelNames: string[] = []): Counter {
  return (
    (register.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}
