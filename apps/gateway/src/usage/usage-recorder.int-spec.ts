import { register } from 'prom-client';
import { TOPICS, TOPIC_SPECS, parseUsageEvent } from '@keyway/contracts';
import { createKafka, ensureTopics, EventPublisher } from '@keyway/platform-kafka';
import { startThrowawayKafka, type ThrowawayKafka, TopicReader } from '@keyway/platform-testing';
import { gatewayConfig, gatewayEnvSchema } from '../config';
import { UsageRecorder } from './usage-recorder';

const droppedSoFar = async () =>
  (await register.getSingleMetricAsString('keyway_gateway_usage_events_dropped_total'))
    .split('\n')
    .filter((line) => line.startsWith('keyway_gateway_usage_events_dropped_total'))
    .map((line) => Number(line.split(' ')[1]))[0] ?? 0;

/** Usage events wait for Kafka in a bounded buffer, drop (and count) the oldest, then flush. */
describe('usage events while Kafka is away (own broker)', () => {
  let kafka: ThrowawayKafka;
  beforeAll(async () => {
    kafka = await startThrowawayKafka();
  }, 120_000);
  afterAll(() => kafka.wipe());

  it('buffers at most the configured number of events and sends them when Kafka returns', async () => {
    const client = createKafka({ brokers: [...kafka.brokers], clientId: 'usage-int' });
    await ensureTopics(client, TOPIC_SPECS);
    const publisher = new EventPublisher(client);
    const config = gatewayConfig(gatewayEnvSchema.parse({ GATEWAY_USAGE_BUFFER_MAX: '3' }));
    const recorder = new UsageRecorder(publisher, config);
    const dropped = await droppedSoFar();

    await kafka.kill();
    const flushes: Array<Promise<void>> = [];
    for (const keyId of ['key_a1', 'key_b2', 'key_c3', 'key_d4', 'key_e5']) {
      recorder.record(keyId, 'ws_usage', 'VALID', '10.0.0.1');
      recorder.record(keyId, 'ws_usage', 'RATE_LIMITED', '10.0.0.2');
      flushes.push(recorder.flush()); // one window each; the send keeps failing meanwhile
    }
    await Promise.all(flushes);
    expect((await droppedSoFar()) - dropped).toBe(2);

    await kafka.start();
    await recorder.flush();
    const reader = await new TopicReader(TOPICS.usage, { brokers: kafka.brokers }).start();
    try {
      await reader.waitFor(() => reader.messages().length >= 3, 30_000);
      // Keyed by key id, so they arrive from several partitions: order them by their stream.
      const events = reader
        .messages()
        .map((message) => parseUsageEvent(message.value))
        .sort((a, b) => a.sequence - b.sequence);
      expect(events.map((event) => event.data.keyId)).toEqual(['key_c3', 'key_d4', 'key_e5']);
      expect(events[0]?.data).toMatchObject({
        workspaceId: 'ws_usage',
        counts: { VALID: 1, RATE_LIMITED: 1, NOT_FOUND: 0 },
        clientAddresses: ['10.0.0.1', '10.0.0.2'],
      });
      expect(events.map((event) => event.sequence)).toEqual([3, 4, 5]);
      expect(new Set(events.map((event) => event.subject)).size).toBe(1);
    } finally {
      await reader.stop();
      await publisher.disconnect();
    }
  }, 180_000);
});
