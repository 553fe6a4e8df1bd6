import { createHash } from 'node:crypto';
import { type PartitionBounds } from './partition-end';

/**
 * How far a consumer has applied a partition, as its own store records it: the next offset to
 * apply, and the mark of the message just before it (`messageMark`), when known.
 */
export interface StoredProgress {
  readonly next: bigint;
  readonly mark: string | null;
}

/**
 * A short digest of a message's value. Stored with the progress, it tells the partition the
 * progress was made on from a new one under the same name (Kafka lost its data, or the topic was
 * deleted and created again), whose offsets start again: at the same offset it holds another
 * message. A digest, not the value: the store keeps no copy of what it applied.
 */
export function messageMark(value: Buffer | string | null): string {
  return createHash('sha256')
    .update(value ?? '')
    .digest('base64url')
    .slice(0, 22);
}

/** What a batch of one partition shows about it, for `batchStep`. */
export interface BatchView {
  readonly first: bigint;
  readonly last: bigint;
  /** The mark of the batch's message at `offset`, or undefined when it holds none there. */
  readonly markAt: (offset: bigint) => string | undefined;
}

export type BatchStep =
  /** Apply the batch's messages from offset `from` on. */
  | { readonly kind: 'apply'; readonly from: bigint }
  /** Read the partition from `to` first (the batch is skipped; it comes again from there). */
  | { readonly kind: 'seek'; readonly to: bigint }
  /** The message before the progress is not the one applied: the partition was recreated. */
  | { readonly kind: 'recreated' };

/**
 * What to do with a batch, given the stored progress and the offset this member last sought the
 * partition to (`sought`). Where a batch starts below the progress, the message just before the
 * progress is compared with the mark stored: a partition that was recreated and has grown past
 * the old progress holds another message there. (A partition that ends before the progress is
 * found by comparing with its end, before this is asked.)
 */
export function batchStep(
  progress: StoredProgress,
  batch: BatchView,
  sought: bigint | undefined,
): BatchStep {
  const { next, mark } = progress;
  if (batch.first > next) {
    // The store is behind what Kafka hands us (the group's offset ran ahead of it). Sought once:
    // if Kafka no longer has those offsets (retention), it answers from its earliest again, and
    // that gap is accepted.
    return sought === next ? { kind: 'apply', from: batch.first } : { kind: 'seek', to: next };
  }
  if (batch.first === next || mark === null || next === 0n) return { kind: 'apply', from: next };
  const before = next - 1n;
  if (batch.last < before) {
    // Wholly below what was applied: look at the message before the progress first. Sought
    // there once already (Kafka answers from below it again): nothing here is new.
    return sought === before ? { kind: 'apply', from: next } : { kind: 'seek', to: before };
  }
  const seen = batch.markAt(before);
  // No message at that offset in the batch (a transaction marker, say): nothing to compare.
  return seen === undefined || seen === mark
    ? { kind: 'apply', from: next }
    : { kind: 'recreated' };
}

/** Where a member that has just been given a partition starts reading it. */
export function resumeOffset(progress: StoredProgress): bigint {
  // One message early, so that the first batch shows whether that message is the one applied.
  return progress.mark !== null && progress.next > 0n ? progress.next - 1n : progress.next;
}

/** The view `batchStep` takes of a batch's messages (in offset order, at least one). */
export function viewOf(
  messages: ReadonlyArray<{ readonly offset: string; readonly value: Buffer | null }>,
): BatchView {
  const first = messages[0];
  const last = messages[messages.length - 1];
  if (!first || !last) throw new Error('an empty batch has no view');
  return {
    first: BigInt(first.offset),
    last: BigInt(last.offset),
    markAt: (offset) => {
      const found = messages.find((message) => BigInt(message.offset) === offset);
      return found && messageMark(found.value);
    },
  };
}

/**
 * `batchStep`, after asking the broker (`bounds`) about a batch whose high watermark is below
 * the progress: a partition that now ends before the progress was recreated. (The broker is asked
 * rather than the batch believed: a fetch's high watermark can trail briefly after a leader
 * change.) Returns the bounds when it asked.
 */
export async function decideBatch(
  progress: StoredProgress,
  batch: {
    readonly highWatermark: string;
    readonly messages: ReadonlyArray<{ readonly offset: string; readonly value: Buffer | null }>;
  },
  sought: bigint | undefined,
  bounds: () => Promise<PartitionBounds>,
): Promise<{ step: BatchStep; bounds?: PartitionBounds }> {
  if (progress.next > BigInt(batch.highWatermark)) {
    const asked = await bounds();
    if (asked.high < progress.next) return { step: { kind: 'recreated' }, bounds: asked };
  }
  return { step: batchStep(progress, viewOf(batch.messages), sought) };
}
