import { type ErrorCode } from '@keyway/contracts';
import {
  assertUnreachable,
  BEARER_CHALLENGE,
  domainAnswer,
  type HttpError,
  httpErrorMapper,
  retryAfterHeader,
} from '@keyway/platform-observability';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { EventStoreError, EventStoreErrorCode } from '../event-store/event-store.errors';
import { IdempotencyError, IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { IdentityError, IdentityErrorCode } from '../identities/identity.errors';
import { KeyError, KeyErrorCode } from '../keys/key.errors';
import { MemberError, MemberErrorCode } from '../members/member.errors';
import { TenancyError, TenancyErrorCode } from '../tenancy/tenancy.errors';
import { WorkspaceError, WorkspaceErrorCode } from '../workspaces/workspace.errors';

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

/** The one place domain errors meet HTTP: every code of every domain, exhaustively. */
export function domainErrorToHttp(error: IdentityDomainError): HttpError {
  const answer = (code: ErrorCode, details?: Readonly<Record<string, unknown>>) =>
    domainAnswer(error, code, details);
  const { code } = error;
  switch (code) {
    case AuthErrorCode.UNAUTHENTICATED:
      return { ...answer('UNAUTHENTICATED'), headers: BEARER_CHALLENGE };
    case AuthErrorCode.TOO_MANY_INVALID_KEYS:
      return { ...answer('TOO_MANY_INVALID_KEYS'), headers: retryAfterHeader(error.details) };
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

/**
 * Turns anything thrown into the SPEC's JSON error: domain errors through `domainErrorToHttp`,
 * anything else as every service answers it (`commonHttpError`).
 */
export const toHttpError = httpErrorMapper<IdentityDomainError>(DOMAIN_ERRORS, domainErrorToHttp, {
  invalidValueMessage:
    'the request contains a value that cannot be stored (a NUL byte or invalid text?)',
  uniqueViolationIsConflict: true,
});
