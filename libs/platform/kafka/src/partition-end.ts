import { type Admin } from 'kafkajs';

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

/** Where one partition ends now (its high watermark); throws as `partitionBounds` does. */
export async function partitionEnd(
  admin: Admin,
  topic: string,
  partition: number,
): Promise<bigint> {
  const bounds = (await partitionBounds(admin, topic)).get(partition);
  if (bounds === undefined) throw new Error(`${topic} has no partition ${partition}`);
  return bounds.high;
}
