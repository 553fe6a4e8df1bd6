import { Redis } from 'ioredis';
import { messageMark } from '@keyway/platform-kafka';
import { uniqueName } from '@keyway/platform-testing';
import { redisKeys } from '../record/redis-keys';
import { ProjectionStore } from './projection.store';

/** The projection's progress in Redis: the offset, its mark, and rewinds that undo no peer. */
describe('projection progress (shared Redis)', () => {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const store = ProjectionStore.on(redis);
  const group = uniqueName('progress');
  const [topic, partition] = ['keyway.keys.v1', 3];

  afterAll(async () => {
    await redis.del(redisKeys.progress(group), redisKeys.rewinds(group), redisKeys.marks(group));
    redis.disconnect();
  });

  it('keeps the mark with the offset it was recorded with', async () => {
    const mark = messageMark('{"id":"event-41"}');
    await store.recordProgress(group, topic, partition, 42n, mark);
    expect(await store.partitionProgress(group, topic, partition)).toEqual({ next: 42n, mark });
    // An older gateway moves the offset on without a mark: this one no longer compares it.
    await redis.hset(redisKeys.progress(group), `${topic}:${partition}`, '50');
    expect(await store.partitionProgress(group, topic, partition)).toEqual({
      next: 50n,
      mark: null,
    });
    // What Redis holds is a digest, never the message.
    expect(await redis.hget(redisKeys.marks(group), `${topic}:${partition}`)).toBe(`42:${mark}`);
  });

  it('sets a progress back only if it is still what was compared', async () => {
    await store.recordProgress(group, topic, partition, 60n, messageMark('m'));
    // A peer applied a batch after this replica read 55: its rewind would undo that batch.
    expect(await store.rewindProgress(group, topic, partition, 55n, 0n)).toBe(false);
    expect(await store.partitionProgress(group, topic, partition)).toEqual({
      next: 60n,
      mark: messageMark('m'),
    });
    expect((await store.rewinds(group)).size).toBe(0);

    expect(await store.rewindProgress(group, topic, partition, 60n, 0n)).toBe(true);
    expect(await store.partitionProgress(group, topic, partition)).toEqual({
      next: 0n,
      mark: null,
    });
    expect(await store.rewinds(group)).toEqual(new Map([[`${topic}:${partition}`, 60n]]));
  });
});
