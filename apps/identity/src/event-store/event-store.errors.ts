import { DomainError } from '@keyway/platform-observability';

export const EventStoreErrorCode = {
  /** Another change to the same aggregate was committed first (optimistic concurrency). */
  CONCURRENCY_CONFLICT: 'CONCURRENCY_CONFLICT',
} as const;
export type EventStoreErrorCode = (typeof EventStoreErrorCode)[keyof typeof EventStoreErrorCode];

/** The event store refused an append. */
export class EventStoreError extends DomainError<EventStoreErrorCode> {
  static concurrencyConflict(aggregateId: string): EventStoreError {
    return new EventStoreError(
      EventStoreErrorCode.CONCURRENCY_CONFLICT,
      `${aggregateId} was changed concurrently`,
      { aggregateId },
    );
  }
}
