import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AuthError } from '../auth/auth.errors';
import { ConcurrencyConflict } from '../event-store/event-store.errors';
import { KeyRejected } from '../keys/key.decide';
import { MemberRejected } from '../members/member.decide';
import { WorkspaceRejected } from '../workspaces/workspace.decide';
import { ApiError, ERROR_STATUS, type ErrorBody, type ErrorCode } from './error-codes';

const HTTP_STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
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

/** Turns anything thrown into the SPEC's JSON error. The one place errors meet HTTP. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AuthError) return new ApiError(error.code, error.message, error.details);
  if (error instanceof ConcurrencyConflict) {
    return new ApiError('CONFLICT', 'the resource was changed by another request; retry');
  }
  if (error instanceof KeyRejected) {
    switch (error.code) {
      case 'KEY_EXISTS':
      case 'KEY_NOT_ACTIVE':
        return new ApiError('CONFLICT', error.message, { reason: error.code });
      case 'KEY_NOT_FOUND':
        return new ApiError('NOT_FOUND', error.message);
      case 'EXPIRY_IN_PAST':
        return new ApiError('VALIDATION_ERROR', error.message, { field: 'expiresAt' });
    }
  }
  if (error instanceof MemberRejected) {
    switch (error.code) {
      case 'MEMBER_EXISTS':
        return new ApiError('CONFLICT', error.message);
      case 'MEMBER_NOT_FOUND':
        return new ApiError('NOT_FOUND', error.message);
    }
  }
  if (error instanceof WorkspaceRejected) {
    switch (error.code) {
      case 'WORKSPACE_EXISTS':
        return new ApiError('CONFLICT', error.message);
      case 'WORKSPACE_NOT_FOUND':
        return new ApiError('NOT_FOUND', error.message);
    }
  }
  if (error instanceof ZodError) {
    return new ApiError('VALIDATION_ERROR', 'the request is invalid', {
      issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  const sqlState = (error as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof sqlState === 'string' && SQL_STATES[sqlState] !== undefined) {
    return new ApiError(SQL_STATES[sqlState], SQL_STATE_MESSAGES[SQL_STATES[sqlState]]);
  }
  if (error instanceof HttpException) {
    const code = HTTP_STATUS_CODES[error.getStatus()];
    if (code !== undefined) return new ApiError(code, error.message);
  }
  // Fastify's own errors (bad JSON, body too large, wrong content type) carry a statusCode.
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && HTTP_STATUS_CODES[status] !== undefined) {
    const fastifyCode = (error as { code?: unknown }).code;
    return new ApiError(HTTP_STATUS_CODES[status], describeFastifyError(fastifyCode));
  }
  return new ApiError('INTERNAL_ERROR', 'something went wrong on our side');
}

function describeFastifyError(code: unknown): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'the request body must be application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the JSON body is empty';
    default:
      return 'the request body is not valid JSON';
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const apiError = toApiError(error);
    if (apiError.code === 'INTERNAL_ERROR') {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    const body: ErrorBody = {
      code: apiError.code,
      message: apiError.message,
      details: apiError.details,
      requestId: String((request.raw as { id?: unknown }).id ?? request.id),
    };
    void reply.status(ERROR_STATUS[apiError.code]).send(body);
  }
}
