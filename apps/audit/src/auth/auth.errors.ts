import { DomainError } from '@keyway/platform-observability';

export const AuthErrorCode = {
  /** No key, or one the gateway does not accept (malformed, unknown, revoked, expired). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The key lacks the scope (or may not be used from this address or environment). */
  FORBIDDEN: 'FORBIDDEN',
  /** The key's own rate limit or credits at the gateway ran out. */
  KEY_RATE_LIMITED: 'KEY_RATE_LIMITED',
  /** The client address failed to authenticate too often lately. */
  TOO_MANY_INVALID_KEYS: 'TOO_MANY_INVALID_KEYS',
  /** The gateway could not judge the key (down, timing out, not caught up): fail closed. */
  AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** Authentication or authorisation failed, or could not be decided. */
export class AuthError extends DomainError<AuthErrorCode> {
  static unauthenticated(details: Record<string, unknown> = {}): AuthError {
    return new AuthError(AuthErrorCode.UNAUTHENTICATED, 'a valid API key is required', details);
  }

  static forbidden(details: Record<string, unknown> = {}): AuthError {
    return new AuthError(AuthErrorCode.FORBIDDEN, 'the key may not do this', details);
  }

  static rateLimited(retryAfterSeconds: number, details: Record<string, unknown> = {}): AuthError {
    return new AuthError(AuthErrorCode.KEY_RATE_LIMITED, "the key's rate limit is exhausted", {
      ...details,
      retryAfterSeconds,
    });
  }

  static tooManyInvalidKeys(retryAfterSeconds: number): AuthError {
    return new AuthError(
      AuthErrorCode.TOO_MANY_INVALID_KEYS,
      'too many invalid keys from this address; retry later',
      { retryAfterSeconds },
    );
  }

  static unavailable(): AuthError {
    return new AuthError(
      AuthErrorCode.AUTH_UNAVAILABLE,
      'the key cannot be verified right now; retry',
      {},
    );
  }
}
