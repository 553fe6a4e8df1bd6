import { DomainError } from '@keyway/platform-observability';

export const AlertErrorCode = {
  /** No alert by that id in the caller's workspace. */
  ALERT_NOT_FOUND: 'ALERT_NOT_FOUND',
  /** No live suppression by that id in the caller's workspace. */
  SUPPRESSION_NOT_FOUND: 'SUPPRESSION_NOT_FOUND',
  /** A `cursor` this API did not return. */
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** A suppression that would end before it starts. */
  SUPPRESSION_ENDS_IN_PAST: 'SUPPRESSION_ENDS_IN_PAST',
} as const;
export type AlertErrorCode = (typeof AlertErrorCode)[keyof typeof AlertErrorCode];

/** Alerts and suppressions: not found, or input that only the service can judge. */
export class AlertError extends DomainError<AlertErrorCode> {
  static alertNotFound(): AlertError {
    return new AlertError(AlertErrorCode.ALERT_NOT_FOUND, 'no such alert', {});
  }

  static suppressionNotFound(): AlertError {
    return new AlertError(AlertErrorCode.SUPPRESSION_NOT_FOUND, 'no such suppression', {});
  }

  static invalidCursor(): AlertError {
    return new AlertError(AlertErrorCode.INVALID_CURSOR, 'cursor is not one this API returned', {
      issues: [{ path: 'cursor', message: 'is not one this API returned' }],
    });
  }

  static endsInPast(): AlertError {
    return new AlertError(AlertErrorCode.SUPPRESSION_ENDS_IN_PAST, 'endsAt must be in the future', {
      issues: [{ path: 'endsAt', message: 'must be in the future' }],
    });
  }
}
