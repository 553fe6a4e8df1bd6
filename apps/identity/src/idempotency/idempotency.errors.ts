import { DomainError } from '@keyway/platform-observability';

export const IdempotencyErrorCode = {
  /** The `Idempotency-Key` header is not 1–255 printable ASCII characters. */
  IDEMPOTENCY_KEY_INVALID: 'IDEMPOTENCY_KEY_INVALID',
  /** A request with this key is still running. */
  IDEMPOTENCY_KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
  /** This key was used with a different request. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
} as const;
export type IdempotencyErrorCode = (typeof IdempotencyErrorCode)[keyof typeof IdempotencyErrorCode];

/** An `Idempotency-Key` request refused. */
export class IdempotencyError extends DomainError<IdempotencyErrorCode> {}
