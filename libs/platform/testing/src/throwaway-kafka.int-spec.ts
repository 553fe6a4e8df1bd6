import { Kafka, logLevel } from 'kafkajs';
import { expectEventually } from './expect-eventually';
import { isListening } from './tcp-probe';
import { startThrowawayKafka, type ThrowawayKafka } from './throwaway-kafka';
import { TopicReader } from './topic-reader';
import { uniqueName } from './unique-name';

describe('startThrowawayKafka', () => {
  let kafka: ThrowawayKafka;
  beforeAll(async () => {
    kafka = await startThrowawayKafka();
  }, 120_000);
  afterAll(async () => {
    await kafka?.wipe();
  }, 60_000);

  const produce = async (topic: string, value: string): Promise<void> => {
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = client.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ key: 'k', value }] });
    } finally {
      await producer.disconnect();
    }
  };

  const readAll = async (topic: string, count: number): Promise<(string | null)[]> => {
    const reader = await TopicReader.start(topic, { brokers: kafka.brokers });
    try {
      return await expectEventually(
        () => {
          const values = reader.messages().map((message) => message.value);
          expect(values.length).toBeGreaterThanOrEqual(count);
          return values;
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      await reader.stop();
    }
  };

  it('runs on its own ports and data dir, away from the shared broker', () => {
    expect(kafka.port).not.toBe(9092);
    expect(kafka.brokers).toEqual([`127.0.0.1:${kafka.port}`]);
    expect(kafka.dataDir).not.toContain('.kafka');
  });

  it('carries a produced message to a consumer', async () => {
    const topic = uniqueName('throwaway');
    const reader = await TopicReader.start(topic, { brokers: kafka.brokers });
    try {
      await produce(topic, JSON.stringify({ hello: 'kafka' }));
      const message = await reader.waitFor((m) => m.key === 'k');
      expect(message).toMatchObject({
        topic,
        value: '{"hello":"kafka"}',
        json: { hello: 'kafka' },
      });
    } finally {
      await reader.stop();
    }
  }, 60_000);

  it('dies on kill and comes back with its data on start', async () => {
    const topic = uniqueName('survives');
    await (await TopicReader.start(topic, { brokers: kafka.brokers })).stop(); // creates it
    await produce(topic, 'before the crash');

    await kafka.kill();
    expect(await isListening('127.0.0.1', kafka.port)).toBe(false);

    await kafka.start();
    expect(await readAll(topic, 1)).toEqual(['before the crash']);
  }, 120_000);

  it('stops gracefully and starts again', async () => {
    await kafka.stop();
    expect(await isListening('127.0.0.1', kafka.port)).toBe(false);
    await kafka.start();
    const topic = uniqueName('after_stop');
    const reader = await TopicReader.start(topic, { brokers: kafka.brokers });
    await produce(topic, 'again');
    await expect(reader.waitFor((m) => m.value === 'again')).resolves.toBeDefined();
    await reader.stop();
  }, 120_000);
});
