import { DomainError } from '@keyway/platform-observability';

export const TrailQueryErrorCode = {
  /** The caller's trail never mentions this key (unknown, or another workspace's). */
  AUDIT_KEY_NOT_FOUND: 'AUDIT_KEY_NOT_FOUND',
  /** The cursor was not issued for this query's order, or is not a cursor. */
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** Every export connection is busy: retry later. */
  EXPORT_BUSY: 'EXPORT_BUSY',
} as const;
export type TrailQueryErrorCode = (typeof TrailQueryErrorCode)[keyof typeof TrailQueryErrorCode];

/** A trail query or export that cannot be answered as asked. */
export class TrailQueryError extends DomainError<TrailQueryErrorCode> {
  static keyNotFound(keyId: string): TrailQueryError {
    return new TrailQueryError(TrailQueryErrorCode.AUDIT_KEY_NOT_FOUND, 'no such key', { keyId });
  }

  static invalidCursor(): TrailQueryError {
    return new TrailQueryError(
      TrailQueryErrorCode.INVALID_CURSOR,
      'the cursor is not one this query returned',
      { field: 'cursor' },
    );
  }

  static exportBusy(retryAfterSeconds: number): TrailQueryError {
    return new TrailQueryError(
      TrailQueryErrorCode.EXPORT_BUSY,
      'too many exports are running; retry later',
      { retryAfterSeconds },
    );
  }
}
