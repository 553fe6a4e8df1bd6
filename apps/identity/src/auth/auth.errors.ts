import { DomainError } from '@keyway/platform-observability';

export const AuthErrorCode = {
  /** No key, a malformed one, or one that is unknown, revoked or expired. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller may not do this: a missing scope, or a rule of `authorize.ts`. */
  FORBIDDEN: 'FORBIDDEN',
  /** The client address failed to authenticate too often lately (`auth/failed-auth-limiter.ts`). */
  TOO_MANY_INVALID_KEYS: 'TOO_MANY_INVALID_KEYS',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** Authentication or authorisation failed. */
export class AuthError extends DomainError<AuthErrorCode> {
  static unauthenticated(): AuthError {
    return new AuthError(AuthErrorCode.UNAUTHENTICATED, 'a valid API key is required');
  }

  static tooManyInvalidKeys(retryAfterSeconds: number): AuthError {
    return new AuthError(
      AuthErrorCode.TOO_MANY_INVALID_KEYS,
      'too many invalid keys from this address; retry later',
      { retryAfterSeconds },
    );
  }

  static forbidden(
    details: Record<string, unknown> = {},
    message = 'the key lacks the scope this needs',
  ): AuthError {
    return new AuthError(AuthErrorCode.FORBIDDEN, message, details);
  }
}
