/**
 * Thrown by an app's `applyBatch` when its store's progress is not the one the batch was decided
 * on (`DecodedBatch.expected`): another member applied or set back the partition meanwhile (a
 * rebalance, a rewind). Nothing is applied; the batch comes again, decided on the store's progress.
 */
export class ProgressMoved extends Error {
  constructor(id: string, expected: bigint, stored: bigint) {
    super(`${id}: the stored progress is ${stored}, not the ${expected} this batch was decided on`);
    this.name = 'ProgressMoved';
  }
}
