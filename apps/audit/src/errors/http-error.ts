import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { ZodError } from 'zod';
import { type ErrorCode } from '@keyway/contracts';
import { frameworkRefusal } from '@keyway/platform-observability';
import { AlertError, AlertErrorCode } from '../alerts/alert.errors';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { assertUnreachable } from '../domain-error';
import { IntegrityError, IntegrityErrorCode } from '../integrity/integrity.errors';
import { UsageError, UsageErrorCode } from '../usage/usage.errors';
import { TrailQueryError, TrailQueryErrorCode } from '../trail-queries/trail-query.errors';

/** An error answer before its request id: the SPEC's stable code, a message, details. */
export interface HttpError {
  code: ErrorCode;
  message: string;
  details: Readonly<Record<string, unknown>>;
  headers?: Readonly<Record<string, string>>;
}

const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="keyway"' } as const;

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

export function isDomainError(error: unknown): error is AuditDomainError {
  return DOMAIN_ERRORS.some((type) => error instanceof type);
}

const retryAfter = (details: Readonly<Record<string, unknown>>): Record<string, string> => {
  const seconds = details['retryAfterSeconds'];
  return typeof seconds === 'number' ? { 'retry-after': String(seconds) } : {};
};

/** The one place domain errors meet HTTP: every code of every domain, exhaustively. */
export function domainErrorToHttp(error: AuditDomainError): HttpError {
  const answer = (code: ErrorCode, details = error.details): HttpError => ({
    code,
    message: error.message,
    details,
  });
  const { code } = error;
  switch (code) {
    case AuthErrorCode.UNAUTHENTICATED:
      return { ...answer('UNAUTHENTICATED'), headers: BEARER_CHALLENGE };
    case AuthErrorCode.FORBIDDEN:
      return answer('FORBIDDEN');
    case AuthErrorCode.KEY_RATE_LIMITED:
      return { ...answer('RATE_LIMITED'), headers: retryAfter(error.details) };
    case AuthErrorCode.TOO_MANY_INVALID_KEYS:
      return { ...answer('TOO_MANY_INVALID_KEYS'), headers: retryAfter(error.details) };
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
      return { ...answer('UNAVAILABLE'), headers: retryAfter(error.details) };
    default:
      return assertUnreachable(code);
  }
}

const HTTP_STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'UNAVAILABLE',
};

/** Database refusals that input can cause (text Postgres cannot store, a malformed value). */
const INPUT_SQL_STATES = new Set(['22021', '22P05', '22P02', '22007', '22008']);

/**
 * Turns anything thrown into the SPEC's JSON error: domain errors through `domainErrorToHttp`,
 * then validation, database and framework refusals; anything else is a bug (500, logged).
 */
export function toHttpError(error: unknown): HttpError {
  if (isDomainError(error)) return domainErrorToHttp(error);
  if (error instanceof ZodError) {
    return {
      code: 'VALIDATION_ERROR',
      message: 'the request is invalid',
      details: {
        issues: error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        })),
      },
    };
  }
  const sqlState = (error as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof sqlState === 'string' && INPUT_SQL_STATES.has(sqlState)) {
    return {
      code: 'VALIDATION_ERROR',
      message: 'the request contains a value that cannot be used (a NUL byte or invalid text?)',
      details: {},
    };
  }
  const refusal = frameworkRefusal(error);
  if (refusal !== null) {
    const { code, message, details } = refusal;
    return code === 'UNAUTHENTICATED'
      ? { code, message, details, headers: BEARER_CHALLENGE }
      : { code, message, details };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_STATUS_CODES[status];
    if (code !== undefined) {
      return { code, message: (STATUS_CODES[status] ?? 'error').toLowerCase(), details: {} };
    }
  }
  return { code: 'INTERNAL_ERROR', message: 'something went wrong on our side', details: {} };
}
