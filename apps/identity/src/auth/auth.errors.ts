import { DomainError } from '../domain-error';

export const AuthErrorCode = {
  /** No key, a malformed one, or one that is unknown, revoked or expired. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller may not do this: a missing scope, or a rule of `authorize.ts`. */
  FORBIDDEN: 'FORBIDDEN',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** Authentication or authorisation failed. */
export class AuthError extends DomainError<AuthErrorCode> {
  static unauthenticated(): AuthError {
    return new AuthError(AuthErrorCode.UNAUTHENTICATED, 'a valid API key is required');
  }

  static forbidden(
    details: Record<string, unknown> = {},
    message = 'the key lacks the scope this needs',
  ): AuthError {
    return new AuthError(AuthErrorCode.FORBIDDEN, message, details);
  }
}
