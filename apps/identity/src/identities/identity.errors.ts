import { DomainError } from '@keyway/platform-observability';

export const IdentityErrorCode = {
  IDENTITY_EXISTS: 'IDENTITY_EXISTS',
  IDENTITY_NOT_FOUND: 'IDENTITY_NOT_FOUND',
  /** A list cursor this API did not return. */
  INVALID_IDENTITY_CURSOR: 'INVALID_IDENTITY_CURSOR',
} as const;
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

/** An identity command or query refused. */
export class IdentityError extends DomainError<IdentityErrorCode> {
  static notFound(): IdentityError {
    return new IdentityError(IdentityErrorCode.IDENTITY_NOT_FOUND, 'identity not found');
  }
}
