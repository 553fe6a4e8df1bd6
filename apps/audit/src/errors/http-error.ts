import { type ErrorCode } from '@keyway/contracts';
import {
  assertUnreachable,
  BEARER_CHALLENGE,
  domainAnswer,
  type HttpError,
  httpErrorMapper,
  retryAfterHeader,
} from '@keyway/platform-observability';
import { AlertError, AlertErrorCode } from '../alerts/alert.errors';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { IntegrityError, IntegrityErrorCode } from '../integrity/integrity.errors';
import { UsageError, UsageErrorCode } from '../usage/usage.errors';
import { TrailQueryError, TrailQueryErrorCode } from '../trail-queries/trail-query.errors';

/**
 * Every domain error class of audit. A new one goes here; the compiler then refuses
 * `domainErrorToHttp` until each of its codes is mapped.
 */
export const DOMAIN_ERRORS = [
  AuthError,
  AlertError,
  IntegrityError,
  UsageError,
  TrailQueryError,
] as const;

export type AuditDomainError = InstanceType<(typeof DOMAIN_ERRORS)[number]>;

/** The one place domain errors meet HTTP: every code of every domain, exhaustively. */
export function domainErrorToHttp(error: AuditDomainError): HttpError {
  const answer = (code: ErrorCode, details?: Readonly<Record<string, unknown>>) =>
    domainAnswer(error, code, details);
  const { code } = error;
  switch (code) {
    case AuthErrorCode.UNAUTHENTICATED:
      return { ...answer('UNAUTHENTICATED'), headers: BEARER_CHALLENGE };
    case AuthErrorCode.FORBIDDEN:
      return answer('FORBIDDEN');
    case AuthErrorCode.KEY_RATE_LIMITED:
      return { ...answer('RATE_LIMITED'), headers: retryAfterHeader(error.details) };
    case AuthErrorCode.TOO_MANY_INVALID_KEYS:
      return { ...answer('TOO_MANY_INVALID_KEYS'), headers: retryAfterHeader(error.details) };
    case AuthErrorCode.AUTH_UNAVAILABLE:
      return { ...answer('UNAVAILABLE'), headers: { 'retry-after': '1' } };
    case AlertErrorCode.ALERT_NOT_FOUND:
    case AlertErrorCode.SUPPRESSION_NOT_FOUND:
      return answer('NOT_FOUND', { reason: code });
    case AlertErrorCode.INVALID_CURSOR:
    case AlertErrorCode.SUPPRESSION_ENDS_IN_PAST:
      return answer('VALIDATION_ERROR', { ...error.details, reason: code });
    case IntegrityErrorCode.CHECKPOINT_NOT_FOUND:
      return answer('NOT_FOUND');
    case IntegrityErrorCode.RETENTION_TOO_SHORT:
      return answer('VALIDATION_ERROR', { ...error.details, reason: code });
    case IntegrityErrorCode.INTEGRITY_CHECK_BUSY:
      return {
        ...answer('UNAVAILABLE', { ...error.details, reason: code }),
        headers: retryAfterHeader(error.details),
      };
    case UsageErrorCode.USAGE_KEY_NOT_FOUND:
      return answer('NOT_FOUND');
    case UsageErrorCode.USAGE_INVALID_RANGE:
    case UsageErrorCode.USAGE_INVALID_CURSOR:
      return answer('VALIDATION_ERROR');
    case TrailQueryErrorCode.AUDIT_KEY_NOT_FOUND:
      return answer('NOT_FOUND');
    case TrailQueryErrorCode.INVALID_CURSOR:
      return answer('VALIDATION_ERROR');
    case TrailQueryErrorCode.EXPORT_BUSY:
      return { ...answer('UNAVAILABLE'), headers: retryAfterHeader(error.details) };
    default:
      return assertUnreachable(code);
  }
}

/**
 * Turns anything thrown into the SPEC's JSON error: domain errors through `domainErrorToHttp`,
 * anything else as every service answers it (`commonHttpError`).
 */
export const toHttpError = httpErrorMapper<AuditDomainError>(DOMAIN_ERRORS, domainErrorToHttp, {
  invalidValueMessage:
    'the request contains a value that cannot be used (a NUL byte or invalid text?)',
});
