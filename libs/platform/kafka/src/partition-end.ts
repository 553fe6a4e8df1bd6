import { type Admin } from 'kafkajs';
import { kafkaMetrics } from './kafka-metrics';

/** Where a partition starts (its earliest offset) and ends (its high watermark). */
export interface PartitionBounds {
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * The bounds of every partition of `topic`, asked of the broker. Throws when the broker cannot
 * say (it is away, or a new leader's high watermark is still catching up), so that a caller
 * retrying it waits rather than acts on a stale answer.
 */
export async function partitionBounds(
  admin: Admin,
  topic: string,
): Promise<Map<number, PartitionBounds>> {
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(
    offsets.map((each) => [each.partition, { low: BigInt(each.low), high: BigInt(each.high) }]),
  );
}

/** Where one partition starts and ends now; throws as `partitionBounds` does. */
export async function boundsOfPartition(
  admin: Admin,
  topic: string,
  partition: number,
): Promise<PartitionBounds> {
  const bounds = (await partitionBounds(admin, topic)).get(partition);
  if (bounds === undefined) throw new Error(`${topic} has no partition ${partition}`);
  return bounds;
}

/** An owned partition that ends before the progress applied to it: recreated since. */
export interface RecreatedPartition {
  readonly topic: string;
  readonly partition: number;
  /** The progress applied to the partition's earlier incarnation. */
  readonly applied: bigint;
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * The partitions of `owned` that end before their progress (`progressOf`): new partitions under
 * old names (Kafka lost its data, or the topic was deleted and created again), whose offsets
 * start again. Each progress is read before the partition's end: a batch applied in between only
 * moves the end further. Throws as `partitionBounds` does.
 */
export async function recreatedPartitions(
  admin: Admin,
  owned: ReadonlyArray<{ readonly topic: string; readonly partition: number }>,
  progressOf: (topic: string, partition: number) => Promise<bigint>,
): Promise<RecreatedPartition[]> {
  const applied = await Promise.all(
    owned.map(async ({ topic, partition }) => ({
      topic,
      partition,
      applied: await progressOf(topic, partition),
    })),
  );
  const found: RecreatedPartition[] = [];
  for (const topic of new Set(owned.map((each) => each.topic))) {
    const bounds = await partitionBounds(admin, topic);
    for (const each of applied.filter((one) => one.topic === topic)) {
      const at = bounds.get(each.partition);
      if (at !== undefined && each.applied > at.high) found.push({ ...each, ...at });
    }
  }
  return found;
}

/**
 * Logs (as an error) and counts a recreated partition read again from `to`: it ends before the
 * progress applied, or (ending after it) holds another message just before it.
 */
export function reportRewind(
  logger: { error(message: string): void },
  groupId: string,
  rewind: { topic: string; partition: number; applied: bigint; end: bigint; to: bigint },
): void {
  const { topic, partition, applied, end, to } = rewind;
  const found =
    end < applied
      ? `the partition ends at offset ${end}, before the ${applied} applied`
      : `offset ${applied - 1n} holds another message than the one applied`;
  logger.error(
    `${topic}:${partition}: ${found}: it was recreated (Kafka lost its data?); ` +
      `reading it again from ${to}`,
  );
  kafkaMetrics.rewinds.inc({ group: groupId, topic });
}
