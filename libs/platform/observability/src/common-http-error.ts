import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { ZodError } from 'zod';
import { type ErrorCode } from '@keyway/contracts';
import { type DomainError } from './domain-error';
import { frameworkRefusal } from './http-errors';

/** An error answer before its request id: the SPEC's stable code, a message, details. */
export interface HttpError {
  code: ErrorCode;
  message: string;
  details: Readonly<Record<string, unknown>>;
  /** Headers the answer needs (`Retry-After`, `WWW-Authenticate`…). */
  headers?: Readonly<Record<string, string>>;
}

/** A 401 names the scheme that would authenticate (RFC 9110 §11.6.1). */
export const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="keyway"' } as const;

/** A domain error answered as `code`, with its message and (unless given) its details. */
export function domainAnswer(
  error: DomainError,
  code: ErrorCode,
  details: Readonly<Record<string, unknown>> = error.details,
): HttpError {
  return { code, message: error.message, details };
}

/** `Retry-After` from a domain error's `retryAfterSeconds` detail, when it has one. */
export function retryAfterHeader(
  details: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const seconds = details['retryAfterSeconds'];
  return typeof seconds === 'number' ? { 'retry-after': String(seconds) } : {};
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
 * surrogate), a value of the wrong form.
 */
const INPUT_SQL_STATES = new Set([
  '22021', // character_not_in_repertoire
  '22P05', // untranslatable_character
  '22P02', // invalid_text_representation
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
]);
const UNIQUE_VIOLATION = '23505';

export interface CommonHttpErrorOptions {
  /** What a value Postgres refused is answered with (400). */
  readonly invalidValueMessage: string;
  /** Answers a unique constraint lost to a concurrent request (23505) with 409, not 500. */
  readonly uniqueViolationIsConflict?: boolean;
}

/**
 * What every service answers for what is not its own domain error: the validation pipe's
 * `ZodError`, database refusals input can cause, the framework's refusals and HTTP exceptions;
 * anything else is a bug (500, details only in the log).
 */
export function commonHttpError(error: unknown, options: CommonHttpErrorOptions): HttpError {
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
    return { code: 'VALIDATION_ERROR', message: options.invalidValueMessage, details: {} };
  }
  if (sqlState === UNIQUE_VIOLATION && options.uniqueViolationIsConflict === true) {
    return {
      code: 'CONFLICT',
      message: 'a concurrent request changed the same resource; retry',
      details: {},
    };
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

/**
 * A service's `toHttpError`: its own domain errors (instances of `domainErrors`) through its
 * exhaustive `domainErrorToHttp`, anything else through `commonHttpError`.
 */
export function httpErrorMapper<T extends DomainError>(
  domainErrors: ReadonlyArray<abstract new (...args: never[]) => T>,
  domainErrorToHttp: (error: T) => HttpError,
  options: CommonHttpErrorOptions,
): (error: unknown) => HttpError {
  const isDomainError = (error: unknown): error is T =>
    domainErrors.some((type) => error instanceof type);
  return (error) =>
    isDomainError(error) ? domainErrorToHttp(error) : commonHttpError(error, options);
}
