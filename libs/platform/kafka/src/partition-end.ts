import { type Admin } from 'kafkajs';

/**
 * Where a partition ends now (its high watermark), asked of the broker. Throws when the broker
 * cannot say (it is away, or a new leader's high watermark is still catching up), so that a caller
 * retrying it waits rather than acts on a stale answer.
 */
export async function partitionEnd(
  admin: Admin,
  topic: string,
  partition: number,
): Promise<bigint> {
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  const found = offsets.find((each) => each.partition === partition);
  if (found === undefined) throw new Error(`${topic} has no partition ${partition}`);
  return BigInt(found.high);
}
