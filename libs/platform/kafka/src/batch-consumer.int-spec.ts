import { register } from 'prom-client';
import { expectEventually, kafkaBrokers, TopicReader, uniqueName } from '@keyway/platform-testing';
import { type Admin } from 'kafkajs';
import { BatchConsumer, type DecodedBatch } from './batch-consumer';
import { type StoredProgress } from './batch-step';
import { PoisonMessage } from './poison-message';
import { ProgressMoved } from './progress-moved';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { ensureTopics, type TopicSpec } from './topics';

/** The app's store: what was applied and the progress, changed together as one transaction. */
class Store {
  applied: string[] = [];
  progress: StoredProgress | null = null;
  failuresLeft = 0;

  apply(batch: DecodedBatch<string>): void {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('database unavailable');
    }
    const stored = this.progress?.next ?? 0n;
    if (stored !== batch.expected) throw new ProgressMoved('store', batch.expected, stored);
    this.applied.push(...batch.items.map((item) => item.value));
    this.progress = { next: batch.nextOffset, mark: batch.mark };
  }

  rewind(from: bigint, nextOffset: bigint): boolean {
    if (this.progress?.next !== from) return false;
    this.progress = { next: nextOffset, mark: null };
    return true;
  }

  get next(): bigint | undefined {
    return this.progress?.next;
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

  function consumer(
    store: Store,
    on: { topic: string; groupId: string } = { topic, groupId },
  ): BatchConsumer<string> {
    const created = new BatchConsumer<string>(kafka, publisher, {
      groupId: on.groupId,
      topics: [on.topic],
      deadLetterTopic: () => dlq,
      decode: ({ value }) => {
        if (value.startsWith('poison')) throw new PoisonMessage('breaks the contract');
        return value.toUpperCase();
      },
      readProgress: async () => store.progress,
      rewindProgress: async (_topic, _partition, from, nextOffset) =>
        store.rewind(from, nextOffset),
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
    expect(store.next).toBe(4n);
    expect(await failures()).toBeGreaterThanOrEqual(3);
    const parked = await dlqReader.waitFor((m) => m.value === 'poison-1', 10_000);
    expect(String(parked.headers['x-keyway-dlq-source'])).toBe(`${topic}/0@2`);
    expect(dlqReader.messages()).toHaveLength(1);

    // The store went back (restored from a backup, say): a new member of the same group reads
    // from the store's offset, not from the group's committed Kafka offset.
    await first.stop();
    store.progress = { next: 1n, mark: null };
    store.applied = [];
    const second = consumer(store);
    await second.start();
    await publisher.send([{ topic, key: 'k', value: 'd' }]);
    await expectEventually(() => expect(store.applied).toEqual(['B', 'C', 'D']), {
      timeoutMs: 30_000,
    });
    expect(store.next).toBe(5n);
  });

  it('reads a partition again from its start when it ends before the progress applied (recreated)', async () => {
    // The store applied 50 messages of a partition that Kafka has since lost: the topic now
    // holds 3, at offsets 0–2. Skipping to 50 would lose them (a revocation, say).
    const recreated = uniqueName('batch_recreated');
    await ensureTopics(kafka, [
      { name: recreated, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    await publisher.send(['x', 'y', 'z'].map((value) => ({ topic: recreated, key: 'k', value })));
    const store = new Store();
    store.progress = { next: 50n, mark: 'mark-of-a-lost-message' };
    const rewinds = async (): Promise<number> =>
      ((await register.getSingleMetric('keyway_kafka_progress_rewinds_total')?.get())?.values ?? [])
        .filter((value) => value.labels['topic'] === recreated)
        .reduce((sum, value) => sum + value.value, 0);
    await consumer(store, { topic: recreated, groupId: uniqueName('batch_group') }).start();
    await expectEventually(() => expect(store.applied).toEqual(['X', 'Y', 'Z']), {
      timeoutMs: 30_000,
    });
    expect(store.next).toBe(3n);
    expect(await rewinds()).toBeGreaterThanOrEqual(1); // noticed at the join, by a batch, or both
  });

  it('notices a recreated partition that is still empty, before it grows past the old progress', async () => {
    // The store applied 50 messages of a partition Kafka lost; the new one is empty, so no batch
    // says so. Then 60 arrive at once: reading from 50 would lose the first 50.
    const recreated = uniqueName('batch_recreated_empty');
    await ensureTopics(kafka, [
      { name: recreated, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    const store = new Store();
    store.progress = { next: 50n, mark: null };
    await consumer(store, { topic: recreated, groupId: uniqueName('batch_group') }).start();
    await expectEventually(() => expect(store.next).toBe(0n), { timeoutMs: 30_000 });
    const values = Array.from({ length: 60 }, (_, i) => `m${i}`);
    await publisher.send(values.map((value) => ({ topic: recreated, key: 'k', value })));
    await expectEventually(() => expect(store.applied).toHaveLength(60), { timeoutMs: 30_000 });
    expect(store.applied).toEqual(values.map((value) => value.toUpperCase()));
  });

  it('reads a recreated partition from its start when it grew past the progress before anyone looked', async () => {
    // Applied: 5 messages. While no member runs, the topic is deleted and created again, and 8
    // messages arrive: the partition ends after the progress, so only the message before it (a
    // different one now) shows that offsets 0–4 are not the ones applied.
    const recreated = uniqueName('batch_recreated_grown');
    const spec: TopicSpec = {
      name: recreated,
      partitions: 1,
      retentionMs: null,
      cleanupPolicy: 'delete',
    };
    await ensureTopics(kafka, [spec]);
    const group = uniqueName('batch_group');
    const store = new Store();
    const send = (values: string[]) =>
      publisher.send(values.map((value) => ({ topic: recreated, key: 'k', value })));
    await send(['old-0', 'old-1', 'old-2', 'old-3', 'old-4']);
    const before = consumer(store, { topic: recreated, groupId: group });
    await before.start();
    await expectEventually(() => expect(store.next).toBe(5n), { timeoutMs: 30_000 });
    await before.stop();

    await withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: [recreated], timeout: 30_000 });
      await expectEventually(
        async () => expect(await admin.listTopics()).not.toContain(recreated),
        {
          timeoutMs: 30_000,
        },
      );
    });
    await ensureTopics(kafka, [spec]);
    const fresh = Array.from({ length: 8 }, (_, i) => `new-${i}`);
    await send(fresh);

    await consumer(store, { topic: recreated, groupId: group }).start();
    await expectEventually(() => expect(store.next).toBe(8n), { timeoutMs: 30_000 });
    expect(store.applied).toEqual(
      [...['old-0', 'old-1', 'old-2', 'old-3', 'old-4'], ...fresh].map((v) => v.toUpperCase()),
    );
  });

  it('applies nothing decided on a progress the store no longer has, and reads from the store', async () => {
    // Another member set the partition back (it found it recreated) while this one ran: the next
    // batch, decided on this member's progress, must not be applied over it.
    const own = uniqueName('batch_moved');
    await ensureTopics(kafka, [
      { name: own, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    const store = new Store();
    await consumer(store, { topic: own, groupId: uniqueName('batch_group') }).start();
    const send = (values: string[]) =>
      publisher.send(values.map((value) => ({ topic: own, key: 'k', value })));
    await send(['a', 'b']);
    await expectEventually(() => expect(store.next).toBe(2n), { timeoutMs: 30_000 });
    store.progress = { next: 0n, mark: null };
    await send(['c']);
    await expectEventually(() => expect(store.next).toBe(3n), { timeoutMs: 30_000 });
    expect(store.applied).toEqual(['A', 'B', 'A', 'B', 'C']);
  });

  async function withAdmin<R>(work: (admin: Admin) => Promise<R>): Promise<R> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
});
