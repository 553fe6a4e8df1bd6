import { register } from 'prom-client';
import { expectEventually, kafkaBrokers, TopicReader, uniqueName } from '@keyway/platform-testing';
import { BatchConsumer, type DecodedBatch } from './batch-consumer';
import { PoisonMessage } from './event-consumer';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { ensureTopics } from './topics';

/** The app's store: what was applied and the progress, changed together as one transaction. */
class Store {
  applied: string[] = [];
  progress: bigint | null = null;
  failuresLeft = 0;

  apply(batch: DecodedBatch<string>): void {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('database unavailable');
    }
    this.applied.push(...batch.items.map((item) => item.value));
    this.progress = batch.nextOffset;
  }
}

describe('BatchConsumer against a real broker', () => {
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'batch-consumer-int' });
  const publisher = new EventPublisher(kafka);
  const topic = uniqueName('batch_int');
  const dlq = `${topic}.dlq`;
  const groupId = uniqueName('batch_group');
  const consumers: Array<BatchConsumer<string>> = [];
  let dlqReader: TopicReader;

  function consumer(store: Store): BatchConsumer<string> {
    const created = new BatchConsumer<string>(kafka, publisher, {
      groupId,
      topics: [topic],
      deadLetterTopic: () => dlq,
      decode: ({ value }) => {
        if (value.startsWith('poison')) throw new PoisonMessage('breaks the contract');
        return value.toUpperCase();
      },
      readProgress: async () => store.progress,
      applyBatch: async (batch) => store.apply(batch),
      maxWaitTimeInMs: 100,
      retryDelayMs: 10,
    });
    consumers.push(created);
    return created;
  }

  const failures = async (): Promise<number> =>
    ((await register.getSingleMetric('keyway_kafka_handler_failures_total')?.get())?.values ?? [])
      .filter((value) => value.labels['group'] === groupId)
      .reduce((sum, value) => sum + value.value, 0);

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

  it('waits out a failing store, parks poison, and resumes where the store says', async () => {
    const store = new Store();
    store.failuresLeft = 3;
    const first = consumer(store);
    await first.start();
    await publisher.send(['a', 'b', 'poison-1', 'c'].map((value) => ({ topic, key: 'k', value })));

    await expectEventually(() => expect(store.applied).toEqual(['A', 'B', 'C']), {
      timeoutMs: 20_000,
    });
    expect(store.progress).toBe(4n);
    expect(await failures()).toBeGreaterThanOrEqual(3);
    const parked = await dlqReader.waitFor((m) => m.value === 'poison-1', 10_000);
    expect(String(parked.headers['x-keyway-dlq-source'])).toBe(`${topic}/0@2`);
    expect(dlqReader.messages()).toHaveLength(1);

    // The store went back (restored from a backup, say): a new member of the same group reads
    // from the store's offset, not from the group's committed Kafka offset.
    await first.stop();
    store.progress = 1n;
    store.applied = [];
    const second = consumer(store);
    await second.start();
    await publisher.send([{ topic, key: 'k', value: 'd' }]);
    await expectEventually(() => expect(store.applied).toEqual(['B', 'C', 'D']), {
      timeoutMs: 30_000,
    });
    expect(store.progress).toBe(5n);
  });
});
