import { type ChainHead } from '../chain/chain-heads.repository';

/** What a new checkpoint must extend: the workspace's previous one. */
export interface PreviousCheckpoint {
  readonly size: number;
  readonly headHash: string;
  readonly startPosition: number;
  readonly startPrevHash: string;
}

/**
 * Why the head must not be signed, or null when it extends the previous checkpoint: the chain
 * only grows at its end (the record at the previous size still has the previous head hash), and
 * its start moves only when retention moves it. The signer would otherwise countersign a tail
 * deleted, a chain rewritten, or a front deleted by SQL, and the next check would pass.
 * `hashAtPreviousSize` is the stored hash of the record at `previous.size` (null: none stored).
 */
export function checkpointInconsistency(
  previous: PreviousCheckpoint | null,
  head: ChainHead,
  hashAtPreviousSize: string | null,
  startMoved: boolean,
): string | null {
  if (previous === null) return null;
  if (head.startPosition < previous.startPosition) return 'the chain start moved back';
  if (!startMoved && head.startPosition !== previous.startPosition) {
    return 'the chain start moved without retention';
  }
  if (!startMoved && head.startPrevHash !== previous.startPrevHash) {
    return 'the hash before the start changed';
  }
  if (head.size < previous.size) return `the chain shrank from ${previous.size} to ${head.size}`;
  if (head.size === previous.size) {
    return head.headHash === previous.headHash ? null : 'the head hash changed at the same size';
  }
  // Retention may have pruned the record at the previous size; it checked the chain it pruned.
  if (previous.size < head.startPosition - 1) return startMoved ? null : 'records vanished';
  const linked = previous.size === head.startPosition - 1 ? head.startPrevHash : hashAtPreviousSize;
  return linked === previous.headHash
    ? null
    : `the record at ${previous.size} no longer has the signed head hash`;
}
