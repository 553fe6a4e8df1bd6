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
  /**
   * Sought to `to`, Kafka answers from further on: either it no longer has `to` (retention), and
   * the batch is applied from its start, or the seek was lost, and it is sought again. Only the
   * broker can tell (`decideBatch` asks it).
   */
  | { readonly kind: 'gap'; readonly to: bigint }
  /** The message before the progress is not the one applied: the partition was recreated. */
  | { readonly kind: 'recreated' };

/** What a member knows of a partition it owns, beyond the stored progress. */
export interface MemberView {
  /** The offset it last sought the partition to, since it was given it. */
  readonly sought: bigint | undefined;
  /** Whether it has compared the message before the progress since it last sought or joined. */
  readonly verified: boolean;
}

/**
 * What to do with a batch, given the stored progress and what the member knows. The message just
 * before the progress is compared with the mark stored whenever a batch holds it, and must have
 * been compared before anything is applied after a join or a seek: a partition that was recreated
 * and has grown past the old progress holds another message there. (A partition that ends before
 * the progress is found by comparing with its end, before this is asked.) Once the compare is
 * done, the member applies what follows the progress and nothing below it.
 */
export function batchStep(
  progress: StoredProgress,
  batch: BatchView,
  member: MemberView,
): BatchStep {
  const { next, mark } = progress;
  const comparable = mark !== null && next > 0n;
  const before = next - 1n;
  if (comparable && batch.first <= before && before <= batch.last) {
    const seen = batch.markAt(before);
    // No message at that offset in the batch (a transaction marker, say): nothing to compare.
    return seen === undefined || seen === mark
      ? { kind: 'apply', from: next }
      : { kind: 'recreated' };
  }
  if (batch.first <= next && next <= batch.last && (member.verified || !comparable)) {
    return { kind: 'apply', from: next };
  }
  const start = resumeOffset(progress);
  // Kafka hands over what lies past where reading must start (the group's offset ran ahead of
  // the store, or the compare is still to be made), or what lies wholly below it: read from there.
  if (batch.first > start && member.sought === start) return { kind: 'gap', to: start };
  return { kind: 'seek', to: start };
}

/** Where a member starts reading a partition it has just been given (or must read again). */
export function resumeOffset(progress: StoredProgress): bigint {
  // One message early, so that the first batch shows whether that message is the one applied.
  return progress.mark !== null && progress.next > 0n ? progress.next - 1n : progress.next;
}

/**
 * How a store keeps the mark: with the offset it was recorded with, so that a progress moved on
 * without it (by an older version, or a rewind) is not compared with a mark of another offset.
 */
export function markRecord(progress: { next: bigint; mark: string }): string {
  return `${progress.next}:${progress.mark}`;
}

/** The stored progress from its offset and its mark record (`markRecord`), if any. */
export function storedProgress(next: bigint, record: string | null | undefined): StoredProgress {
  const separator = record?.indexOf(':') ?? -1;
  const recordedAt = record && separator > 0 ? record.slice(0, separator) : null;
  return {
    next,
    mark: record && recordedAt === String(next) ? record.slice(separator + 1) : null,
  };
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
  member: MemberView,
  bounds: () => Promise<PartitionBounds>,
): Promise<{ step: Exclude<BatchStep, { kind: 'gap' }>; bounds?: PartitionBounds }> {
  if (progress.next > BigInt(batch.highWatermark)) {
    const asked = await bounds();
    if (asked.high < progress.next) return { step: { kind: 'recreated' }, bounds: asked };
  }
  const view = viewOf(batch.messages);
  const step = batchStep(progress, view, member);
  if (step.kind !== 'gap') return { step };
  const asked = await bounds();
  return asked.low > step.to
    ? { step: { kind: 'apply', from: view.first }, bounds: asked }
    : { step: { kind: 'seek', to: step.to }, bounds: asked };
}
