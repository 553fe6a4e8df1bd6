/** Another change to the same aggregate was committed first (optimistic concurrency). */
export class ConcurrencyConflict extends Error {
  constructor(readonly aggregateId: string) {
    super(`${aggregateId} was changed concurrently`);
    this.name = 'ConcurrencyConflict';
  }
}
