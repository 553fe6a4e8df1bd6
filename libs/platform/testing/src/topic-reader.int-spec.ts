import { Kafka, logLevel, type Producer } from 'kafkajs';
import { kafkaBrokers } from './services-from-env';
import { TopicReader, type TopicMessage } from './topic-reader';
import { uniqueName } from './unique-name';

// Against the shared broker (KAFKA_BROKERS); every test uses its own topic.
describe('TopicReader', () => {
  let producer: Producer;
  const readers: TopicReader[] = [];
  beforeAll(async () => {
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((reader) => reader.stop()));
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  const open = async (topic: string): Promise<TopicReader> => {
    const reader = await TopicReader.start(topic);
    readers.push(reader);
    return reader;
  };

  it('reads from the beginning, including messages sent before start()', async () => {
    const topic = uniqueName('reader_early');
    await (await open(topic)).stop(); // creates the topic
    await producer.send({ topic, messages: [{ key: 'early', value: 'first' }] });

    const reader = await open(topic);
    await producer.send({ topic, messages: [{ key: 'late', value: 'second' }] });

    await reader.waitFor((m) => m.key === 'late');
    expect(reader.messages().map((m) => [m.key, m.value])).toEqual([
      ['early', 'first'],
      ['late', 'second'],
    ]);
  });

  it('decodes JSON values and headers, and keeps raw values that are not JSON', async () => {
    const topic = uniqueName('reader_decode');
    const reader = await open(topic);
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: JSON.stringify({ id: 1 }), headers: { trace: 'abc', many: ['x', 'y'] } },
        { key: null, value: 'not json' },
        { key: 'tomb', value: null },
      ],
    });

    const tomb = await reader.waitFor((m) => m.key === 'tomb');
    const [json, raw] = reader.messages();
    expect(json).toMatchObject({
      topic,
      partition: 0,
      offset: '0',
      key: 'a',
      value: '{"id":1}',
      json: { id: 1 },
      headers: { trace: 'abc', many: ['x', 'y'] },
    } satisfies Partial<TopicMessage>);
    expect(raw).toMatchObject({ key: null, value: 'not json', json: undefined });
    expect(tomb).toMatchObject({ value: null, json: undefined });
  });

  it('waitFor returns a message already received', async () => {
    const topic = uniqueName('reader_seen');
    const reader = await open(topic);
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await reader.waitFor((m) => m.value === 'two');
    await expect(reader.waitFor((m) => m.value === 'one', 0)).resolves.toMatchObject({
      offset: '0',
    });
  });

  it('waitFor times out with what it did receive', async () => {
    const topic = uniqueName('reader_timeout');
    const reader = await open(topic);
    await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
    await reader.waitFor(() => true);
    await expect(reader.waitFor((m) => m.value === 'never', 200)).rejects.toThrow(
      /no matching message within 200 ms; 1 received[\s\S]*key=k value=v/,
    );
  });
});
