import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { ZodError } from 'zod';
import { type ErrorCode } from '@keyway/contracts';
import { frameworkRefusal } from '@keyway/platform-observability';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { assertUnreachable } from '../domain-error';
import { EventStoreError, EventStoreErrorCode } from '../event-store/event-store.errors';
import { IdempotencyError, IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { IdentityError, IdentityErrorCode } from '../identities/identity.errors';
import { KeyError, KeyErrorCode } from '../keys/key.errors';
import { MemberError, MemberErrorCode } from '../members/member.errors';
import { TenancyError, TenancyErrorCode } from '../tenancy/tenancy.errors';
import { WorkspaceError, WorkspaceErrorCode } from '../workspaces/workspace.errors';

/** An error answer before its request id: the SPEC's stable code, a message, details. */
export interface HttpError {
  code: ErrorCode;
  message: string;
  details: Readonly<Record<string, unknown>>;
  /** Headers the answer needs (`Retry-After`, `WWW-Authenticate`…). */
  headers?: Readonly<Record<string, string>>;
}

/** A 401 names the scheme that would authenticate (RFC 9110 §11.6.1). */
const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="keyway"' } as const;

/**
 * Every domain error class of identity. A new one goes here; the compiler then refuses
 * `domainErrorToHttp` until each of its codes is mapped (http-error.spec.ts checks the list).
 */
export const DOMAIN_ERRORS = [
  AuthError,
  EventStoreError,
  IdempotencyError,
  WorkspaceError,
  MemberError,
  IdentityError,
  KeyError,
  TenancyError,
] as const;

export type IdentityDomainError = InstanceType<(typeof DOMAIN_ERRORS)[number]>;

export function isDomainError(error: unknown): error is IdentityDomainError {
  return DOMAIN_ERRORS.some((type) => error instanceof type);
}

/** The one place domain errors meet HTTP: every code of every domain, exhaustively. */
export function domainErrorToHttp(error: IdentityDomainError): HttpError {
  const answer = (code: ErrorCode, details = error.details): HttpError => ({
    code,
    message: error.message,
    details,
  });
  const { code } = error;
  switch (code) {
    case AuthErrorCode.UNAUTHENTICATED:
      return { ...answer('UNAUTHENTICATED'), headers: BEARER_CHALLENGE };
    case AuthErrorCode.TOO_MANY_INVALID_KEYS: {
      const retryAfter = error.details['retryAfterSeconds'];
      return {
        ...answer('TOO_MANY_INVALID_KEYS'),
        headers: typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {},
      };
    }
    case AuthErrorCode.FORBIDDEN:
      return answer('FORBIDDEN');
    case EventStoreErrorCode.CONCURRENCY_CONFLICT:
      return {
        code: 'CONFLICT',
        message: 'the resource was changed by another request; retry',
        details: {},
      };
    case IdempotencyErrorCode.IDEMPOTENCY_KEY_INVALID:
      return answer('VALIDATION_ERROR');
    case IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_USE:
      return answer('CONFLICT');
    case IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED:
      return answer('UNPROCESSABLE');
    case WorkspaceErrorCode.WORKSPACE_EXISTS:
      return answer('CONFLICT');
    case WorkspaceErrorCode.WORKSPACE_NOT_FOUND:
      return answer('NOT_FOUND');
    case MemberErrorCode.MEMBER_EXISTS:
    case MemberErrorCode.MEMBER_EMAIL_TAKEN:
    case MemberErrorCode.LAST_OWNER:
      return answer('CONFLICT');
    case MemberErrorCode.MEMBER_NOT_FOUND:
      return answer('NOT_FOUND');
    case IdentityErrorCode.IDENTITY_EXISTS:
      return answer('CONFLICT');
    case IdentityErrorCode.IDENTITY_NOT_FOUND:
      return answer('NOT_FOUND', { ...error.details, reason: code });
    case IdentityErrorCode.INVALID_IDENTITY_CURSOR:
      return answer('VALIDATION_ERROR');
    case KeyErrorCode.KEY_EXISTS:
    case KeyErrorCode.KEY_NOT_ACTIVE:
    case KeyErrorCode.KEY_OWNER_FIXED:
      return answer('CONFLICT', { ...error.details, reason: code });
    case KeyErrorCode.KEY_NOT_FOUND:
      return answer('NOT_FOUND');
    case KeyErrorCode.EXPIRY_IN_PAST:
    case KeyErrorCode.KEY_OWNER_NOT_MEMBER:
    case KeyErrorCode.INVALID_CURSOR:
      return answer('VALIDATION_ERROR');
    case KeyErrorCode.KEY_OWNER_NOT_FOUND:
    case KeyErrorCode.KEY_SCOPES_NOT_ALLOWED:
      return answer('VALIDATION_ERROR', { ...error.details, reason: code });
    case TenancyErrorCode.ALREADY_BOOTSTRAPPED:
      return answer('CONFLICT');
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

/**
 * Database refusals that input can cause: text Postgres cannot store (a NUL byte, a lone
 * surrogate), a value of the wrong form, a unique constraint lost to a concurrent request.
 */
const SQL_STATES: Readonly<Record<string, 'VALIDATION_ERROR' | 'CONFLICT'>> = {
  '22021': 'VALIDATION_ERROR', // character_not_in_repertoire
  '22P05': 'VALIDATION_ERROR', // untranslatable_character
  '22P02': 'VALIDATION_ERROR', // invalid_text_representation
  '22007': 'VALIDATION_ERROR', // invalid_datetime_format
  '22008': 'VALIDATION_ERROR', // datetime_field_overflow
  '23505': 'CONFLICT', // unique_violation
};
const SQL_STATE_MESSAGES = {
  VALIDATION_ERROR:
    'the request contains a value that cannot be stored (a NUL byte or invalid text?)',
  CONFLICT: 'a concurrent request changed the same resource; retry',
} as const;

/**
 * Turns anything thrown into the SPEC's JSON error: our domain errors through
 * `domainErrorToHttp`, then what the framework, the validation pipe and the database throw;
 * anything else is a bug (500, details only in the log).
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
  if (typeof sqlState === 'string' && SQL_STATES[sqlState] !== undefined) {
    const code = SQL_STATES[sqlState];
    return { code, message: SQL_STATE_MESSAGES[code], details: {} };
  }
  // What the framework refused (bad JSON, body too large, wrong content type…), as every service
  // says it: fixed messages, since a framework's own may echo the request (`Cannot GET /x?key=…`).
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
