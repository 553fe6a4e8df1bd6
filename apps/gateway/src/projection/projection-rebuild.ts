import { randomUUID } from 'node:crypto';
import { type Cluster, type Redis } from 'ioredis';
import { type Kafka } from 'kafkajs';
import { TOPICS } from '@keyway/contracts';
import { messageMark } from '@keyway/platform-kafka';
import { ProjectionApplier } from './projection-applier';
import { ProjectionStore } from './projection.store';

export interface RebuildResult {
  readonly events: number;
  readonly keys: number;
  readonly parked: number;
  readonly seconds: number;
}

export class ProjectionNotEmpty extends Error {
  constructor(groupId: string) {
    super(`Redis already holds the projection of ${groupId}: pass --force to replay into it`);
    this.name = 'ProjectionNotEmpty';
  }
}

const TOPIC_LIST = [TOPICS.keys, TOPICS.workspaces];

/**
 * Replays `keyway.keys.v1` and `keyway.workspaces.v1` from offset 0 into Redis, batch by batch
 * through the same scripts as the live projection, then records the topics' ends as the live
 * group's progress so running gateways continue from there. A temporary consumer group reads; it
 * is deleted afterwards. Poison messages are counted and skipped (the live consumer parks them).
 */
export async function rebuildProjection(
  redis: Redis | Cluster,
  kafka: Kafka,
  liveGroupId: string,
  { force = false } = {},
): Promise<RebuildResult> {
  const store = ProjectionStore.on(redis);
  if (!force && (await store.progress(liveGroupId)).size > 0) {
    throw new ProjectionNotEmpty(liveGroupId);
  }
  const applier = new ProjectionApplier(store);
  const admin = kafka.admin();
  await admin.connect();
  const started = process.hrtime.bigint();
  const ends = new Map<string, bigint>();
  for (const topic of TOPIC_LIST) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > 0n) ends.set(`${topic}:${partition}`, BigInt(high));
    }
  }
  const groupId = `${liveGroupId}-rebuild-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 200,
  });
  let events = 0;
  let keys = 0;
  let parked = 0;
  const remaining = new Set(ends.keys());
  /** The mark of each partition's last message, recorded with the progress. */
  const marks = new Map<string, string>();
  try {
    if (remaining.size > 0) {
      await consumer.connect();
      await consumer.subscribe({ topics: TOPIC_LIST, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const id = `${batch.topic}:${batch.partition}`;
              const end = ends.get(id) ?? 0n;
              const messages = batch.messages
                .filter((message) => BigInt(message.offset) < end)
                .map((message) => ({
                  offset: message.offset,
                  value: message.value?.toString() ?? '',
                }));
              const result = await applier.apply(batch.topic, messages);
              events += messages.length;
              keys += result.keysIssued;
              parked += result.poison.length;
              const last = batch.messages[batch.messages.length - 1];
              const atEnd = batch.messages.find((message) => BigInt(message.offset) === end - 1n);
              if (atEnd) marks.set(id, messageMark(atEnd.value));
              if (
                last &&
                BigInt(last.offset) + 1n >= end &&
                remaining.delete(id) &&
                remaining.size === 0
              ) {
                resolve();
              }
            },
          })
          .catch(reject);
      });
    }
    for (const [id, end] of ends) {
      const [topic, partition] = [
        id.slice(0, id.lastIndexOf(':')),
        Number(id.slice(id.lastIndexOf(':') + 1)),
      ];
      await store.recordProgress(liveGroupId, topic, partition, end, marks.get(id) ?? null);
    }
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events, keys, parked, seconds };
}
