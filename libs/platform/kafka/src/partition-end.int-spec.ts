import { kafkaBrokers, uniqueName } from '@keyway/platform-testing';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { recreatedPartitions } from './partition-end';
import { ensureTopics } from './topics';

describe('recreatedPartitions against a real broker', () => {
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'partition-end-int' });
  const publisher = new EventPublisher(kafka);
  const admin = kafka.admin();
  const topic = uniqueName('partition_end');

  beforeAll(async () => {
    await ensureTopics(kafka, [
      { name: topic, partitions: 1, retentionMs: null, cleanupPolicy: 'delete' },
    ]);
    await publisher.send(['a', 'b', 'c'].map((value) => ({ topic, key: 'k', value })));
  });

  afterAll(async () => {
    await admin.disconnect();
    await publisher.disconnect();
  });

  it('takes a partition that ends before the progress for recreated', async () => {
    const found = await recreatedPartitions(admin, [{ topic, partition: 0 }], async () => 50n);
    expect(found).toEqual([{ topic, partition: 0, applied: 50n, low: 0n, high: 3n }]);
  });

  it('reads the progress before the end: a batch applied in between is no recreation', async () => {
    // While the check runs, two messages arrive and are applied: the progress moves to the end.
    const found = await recreatedPartitions(admin, [{ topic, partition: 0 }], async () => {
      await publisher.send(['d', 'e'].map((value) => ({ topic, key: 'k', value })));
      return 5n;
    });
    expect(found).toEqual([]);
  });
});
