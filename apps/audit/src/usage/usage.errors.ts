import { DomainError } from '@keyway/platform-observability';

export const UsageErrorCode = {
  /** The key is not one audit knows in the caller's workspace (another's, or never heard of). */
  USAGE_KEY_NOT_FOUND: 'USAGE_KEY_NOT_FOUND',
  /** `from`/`to` name a range that is empty or holds more buckets than one answer may. */
  USAGE_INVALID_RANGE: 'USAGE_INVALID_RANGE',
  /** A cursor this API did not hand out. */
  USAGE_INVALID_CURSOR: 'USAGE_INVALID_CURSOR',
} as const;
export type UsageErrorCode = (typeof UsageErrorCode)[keyof typeof UsageErrorCode];

/** Usage and key report queries that cannot be answered as asked. */
export class UsageError extends DomainError<UsageErrorCode> {
  static keyNotFound(keyId: string): UsageError {
    return new UsageError(UsageErrorCode.USAGE_KEY_NOT_FOUND, 'no such key', { keyId });
  }

  static invalidRange(message: string, details: Record<string, unknown>): UsageError {
    return new UsageError(UsageErrorCode.USAGE_INVALID_RANGE, message, details);
  }

  static invalidCursor(field: string): UsageError {
    return new UsageError(
      UsageErrorCode.USAGE_INVALID_CURSOR,
      'cursor is not one this API returned',
      { field },
    );
  }
}
