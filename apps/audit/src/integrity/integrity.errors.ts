import { DomainError } from '@keyway/platform-observability';

export const IntegrityErrorCode = {
  /** The workspace has no signed checkpoint yet. */
  CHECKPOINT_NOT_FOUND: 'CHECKPOINT_NOT_FOUND',
  /** A retention below `AUDIT_RETENTION_MIN_DAYS`. */
  RETENTION_TOO_SHORT: 'RETENTION_TOO_SHORT',
  /** This workspace's chain is being checked already, or this replica runs all it may. */
  INTEGRITY_CHECK_BUSY: 'INTEGRITY_CHECK_BUSY',
} as const;
export type IntegrityErrorCode = (typeof IntegrityErrorCode)[keyof typeof IntegrityErrorCode];

/** Checkpoints and integrity: what cannot be answered. */
export class IntegrityError extends DomainError<IntegrityErrorCode> {
  static checkpointNotFound(): IntegrityError {
    return new IntegrityError(
      IntegrityErrorCode.CHECKPOINT_NOT_FOUND,
      'no checkpoint has been signed for this workspace yet',
    );
  }

  static retentionTooShort(minDays: number): IntegrityError {
    return new IntegrityError(
      IntegrityErrorCode.RETENTION_TOO_SHORT,
      `retention must be at least ${minDays} days on this deployment`,
      { minDays },
    );
  }

  static integrityCheckBusy(running: 'workspace' | 'replica'): IntegrityError {
    return new IntegrityError(
      IntegrityErrorCode.INTEGRITY_CHECK_BUSY,
      running === 'workspace'
        ? "an integrity check of this workspace's chain is running; retry when it is done"
        : 'too many integrity checks are running; retry later',
      { retryAfterSeconds: 5 },
    );
  }
}
