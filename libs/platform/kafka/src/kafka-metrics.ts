import { Counter, Gauge, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter {
  const existing = register.getSingleMetric(name);
  return (existing as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

function gauge(name: string, help: string, labelNames: string[]): Gauge {
  const existing = register.getSingleMetric(name);
  return (existing as Gauge | undefined) ?? new Gauge({ name, help, labelNames });
}

export const kafkaMetrics = {
  consumed: counter('keyway_kafka_messages_consumed_total', 'Messages handled, by outcome', [
    'group',
    'topic',
    'outcome',
  ]),
  deadLettered: counter(
    'keyway_kafka_messages_dead_lettered_total',
    'Messages parked on a dead-letter topic after bounded retries',
    ['group', 'topic'],
  ),
  handlerFailures: counter(
    'keyway_kafka_handler_failures_total',
    'Failed handler attempts (retried with back-off; the partition waits)',
    ['group', 'topic'],
  ),
  batches: counter('keyway_kafka_batches_applied_total', 'Batches applied by batch consumers', [
    'group',
    'topic',
  ]),
  lag: gauge(
    'keyway_kafka_consumer_lag',
    "Messages of a partition not yet applied, as of the member's last batch",
    ['group', 'topic', 'partition'],
  ),
  rewinds: counter(
    'keyway_kafka_progress_rewinds_total',
    'Partitions found recreated (Kafka lost its data, or the topic was recreated) and read again',
    ['group', 'topic'],
  ),
  published: counter('keyway_kafka_messages_published_total', 'Messages published', ['topic']),
  consumerUp: gauge(
    'keyway_kafka_consumer_connected',
    '1 while the consumer group member is connected',
    ['group'],
  ),
};
