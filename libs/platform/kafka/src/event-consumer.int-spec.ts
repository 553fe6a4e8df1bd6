import { expectEventually, kafkaBrokers, TopicReader, uniqueName } from '@keyway/platform-testing';
import { EventConsumer, PoisonMessage, type ReceivedMessage } from './event-consumer';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { ensureTopics } from './topics';

describe('EventConsumer against a real broker', () => {
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'consumer-int' });
  const publisher = new EventPublisher(kafka);
  const topic = uniqueName('consumer_int');
  const dlq = `${topic}.dlq`;
  const groupId = uniqueName('group');
  const consumers: EventConsumer[] = [];
  let dlqReader: TopicReader;

  function consumer(handle: (message: ReceivedMessage) => Promise<void>): EventConsumer {
    const created = new EventConsumer(kafka, publisher, {
      groupId,
      topics: [topic],
      deadLetterTopic: () => dlq,
      handle,
      retryDelayMs: 10,
    });
    consumers.push(created);
    return created;
  }

  beforeAll(async () => {
    await ensureTopics(kafka, [
      { name: topic, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
      { name: dlq, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    dlqReader = await TopicReader.start(dlq);
  });

  afterAll(async () => {
    for (const each of consumers) await each.stop().catch(() => undefined);
    await dlqReader.stop();
    await publisher.disconnect();
  });

  it('retries a failing handler until it succeeds, parks only poison, and commits past both', async () => {
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const first = consumer(async ({ value }) => {
      attempts.set(value, (attempts.get(value) ?? 0) + 1);
      if (value === 'flaky' && attempts.get(value) === 1) throw new Error('transient');
      if (value === 'outage' && (attempts.get(value) ?? 0) <= 4) throw new Error('Redis is down');
      if (value === 'poison') throw new PoisonMessage('breaks the contract');
      handled.push(value);
    });
    await first.start();
    await publisher.send(
      ['ok-1', 'flaky', 'outage', 'poison', 'ok-2'].map((value) => ({ topic, key: 'k', value })),
    );

    await expectEventually(() => expect(handled).toEqual(['ok-1', 'flaky', 'outage', 'ok-2']), {
      timeoutMs: 20_000,
    });
    expect(attempts.get('flaky')).toBe(2);
    expect(attempts.get('outage')).toBe(5); // waited out, in order, not parked
    expect(attempts.get('poison')).toBe(1); // never retried

    const parked = await dlqReader.waitFor((m) => m.value === 'poison', 10_000);
    expect(parked.headers['x-keyway-dlq-group']).toBe(groupId);
    expect(String(parked.headers['x-keyway-dlq-source'])).toMatch(new RegExp(`^${topic}/0@\\d+$`));
    expect(dlqReader.messages().map((m) => m.value)).toEqual(['poison']);

    // Offsets were committed: a new member of the group starts after ok-2.
    await first.stop();
    const redelivered: string[] = [];
    const second = consumer(async ({ value }) => void redelivered.push(value));
    await second.start();
    await publisher.send([{ topic, key: 'k', value: 'ok-3' }]);
    await expectEventually(() => expect(redelivered).toEqual(['ok-3']), { timeoutMs: 30_000 });
  });
});
