import { DomainError } from '@keyway/platform-observability';

export const IntegrityErrorCode = {
  /** The workspace has no signed checkpoint yet. */
  CHECKPOINT_NOT_FOUND: 'CHECKPOINT_NOT_FOUND',
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
}
