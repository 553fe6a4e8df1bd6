import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { type ErrorCode } from '@keyway/contracts';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { type DomainError } from '@keyway/platform-observability';
import { EventStoreError, EventStoreErrorCode } from '../event-store/event-store.errors';
import { IdempotencyError, IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { IdentityError, IdentityErrorCode } from '../identities/identity.errors';
import { KeyError, KeyErrorCode } from '../keys/key.errors';
import { MemberError, MemberErrorCode } from '../members/member.errors';
import { TenancyError, TenancyErrorCode } from '../tenancy/tenancy.errors';
import { WorkspaceError, WorkspaceErrorCode } from '../workspaces/workspace.errors';
import { DOMAIN_ERRORS, type IdentityDomainError, toHttpError } from './http-error';

type ErrorClass = new (code: never, message: string) => DomainError;

/** Every domain, its codes, and the HTTP code each must become. Adding a code: add it here too. */
const DOMAINS: [ErrorClass, Record<string, string>, Record<string, ErrorCode>][] = [
  [
    AuthError,
    AuthErrorCode,
    {
      UNAUTHENTICATED: 'UNAUTHENTICATED',
      FORBIDDEN: 'FORBIDDEN',
      TOO_MANY_INVALID_KEYS: 'TOO_MANY_INVALID_KEYS',
    },
  ],
  [EventStoreError, EventStoreErrorCode, { CONCURRENCY_CONFLICT: 'CONFLICT' }],
  [
    IdempotencyError,
    IdempotencyErrorCode,
    {
      IDEMPOTENCY_KEY_INVALID: 'VALIDATION_ERROR',
      IDEMPOTENCY_KEY_IN_USE: 'CONFLICT',
      IDEMPOTENCY_KEY_REUSED: 'UNPROCESSABLE',
    },
  ],
  [
    WorkspaceError,
    WorkspaceErrorCode,
    { WORKSPACE_EXISTS: 'CONFLICT', WORKSPACE_NOT_FOUND: 'NOT_FOUND' },
  ],
  [
    MemberError,
    MemberErrorCode,
    {
      MEMBER_EXISTS: 'CONFLICT',
      MEMBER_NOT_FOUND: 'NOT_FOUND',
      MEMBER_EMAIL_TAKEN: 'CONFLICT',
      LAST_OWNER: 'CONFLICT',
    },
  ],
  [
    KeyError,
    KeyErrorCode,
    {
      KEY_EXISTS: 'CONFLICT',
      KEY_NOT_FOUND: 'NOT_FOUND',
      KEY_NOT_ACTIVE: 'CONFLICT',
      EXPIRY_IN_PAST: 'VALIDATION_ERROR',
      KEY_OWNER_NOT_MEMBER: 'VALIDATION_ERROR',
      KEY_OWNER_NOT_FOUND: 'VALIDATION_ERROR',
      KEY_OWNER_FIXED: 'CONFLICT',
      KEY_SCOPES_NOT_ALLOWED: 'VALIDATION_ERROR',
      INVALID_CURSOR: 'VALIDATION_ERROR',
    },
  ],
  [
    IdentityError,
    IdentityErrorCode,
    {
      IDENTITY_EXISTS: 'CONFLICT',
      IDENTITY_NOT_FOUND: 'NOT_FOUND',
      INVALID_IDENTITY_CURSOR: 'VALIDATION_ERROR',
    },
  ],
  [TenancyError, TenancyErrorCode, { ALREADY_BOOTSTRAPPED: 'CONFLICT' }],
];

const EVERY_CODE = DOMAINS.flatMap(([type, codes, expected]) =>
  Object.values(codes).map((code) => [type.name, code, type, expected[code]] as const),
);

describe('domain errors → HTTP (errors/http-error.ts)', () => {
  it.each(EVERY_CODE)('maps %s %s to its HTTP code, keeping message and details', (...args) => {
    const [, code, type, expected] = args;
    const error: IdentityDomainError = Reflect.construct(type, [
      code,
      'the message',
      { field: 'x' },
    ]);
    const answer = toHttpError(error);
    expect(answer.code).toBe(expected);
    expect(answer.code).not.toBe('INTERNAL_ERROR');
    if (type !== EventStoreError) {
      expect(answer.message).toBe('the message');
      expect(answer.details).toMatchObject({ field: 'x' });
    }
  });

  it('lists every domain, and each domain lists its codes above', () => {
    expect(DOMAIN_ERRORS.map((type) => type.name).sort()).toEqual(
      DOMAINS.map(([type]) => type.name).sort(),
    );
    for (const [, codes, expected] of DOMAINS) {
      expect(Object.keys(expected).sort()).toEqual(Object.values(codes).sort());
    }
  });

  it('keeps codes unique across domains, so one switch can map them', () => {
    const codes = EVERY_CODE.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('knows every DomainError subclass in the source (none can become a 500 unmapped)', () => {
    const declared: string[] = [];
    const scan = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) scan(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          for (const match of readFileSync(path, 'utf8').matchAll(
            /class (\w+) extends DomainError\b/g,
          )) {
            declared.push(match[1] ?? '');
          }
        }
      }
    };
    scan(join(__dirname, '..'));
    expect(declared.sort()).toEqual(DOMAIN_ERRORS.map((type) => type.name).sort());
  });

  it('tells the client why a key command conflicted', () => {
    expect(toHttpError(new KeyError(KeyErrorCode.KEY_NOT_ACTIVE, 'revoked')).details).toEqual({
      reason: 'KEY_NOT_ACTIVE',
    });
  });

  it.each([KeyErrorCode.KEY_OWNER_FIXED, KeyErrorCode.KEY_OWNER_NOT_FOUND])(
    'tells the client why a key owner was refused (%s)',
    (code) => {
      expect(toHttpError(new KeyError(code, 'no')).details).toEqual({ reason: code });
    },
  );

  it('does not reveal the aggregate of a concurrency conflict', () => {
    expect(toHttpError(EventStoreError.concurrencyConflict('key_x'))).toEqual({
      code: 'CONFLICT',
      message: 'the resource was changed by another request; retry',
      details: {},
    });
  });
});

describe('other errors → HTTP', () => {
  it.each([
    [new NotFoundException(), 'NOT_FOUND'],
    [new BadRequestException(), 'VALIDATION_ERROR'],
    [
      Object.assign(new Error('x'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
      'PAYLOAD_TOO_LARGE',
    ],
    [
      Object.assign(new Error('x'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [Object.assign(new Error('x'), { driverError: { code: '22021' } }), 'VALIDATION_ERROR'],
    [Object.assign(new Error('x'), { driverError: { code: '23505' } }), 'CONFLICT'],
    [new Error('database exploded: password=hunter2'), 'INTERNAL_ERROR'],
  ])('maps %p to %s', (error, code) => {
    expect(toHttpError(error).code).toBe(code);
  });

  it('reports validation issues by path without echoing the values', () => {
    const result = z
      .strictObject({ name: z.string().max(3) })
      .safeParse({ name: 'kw_live_secret', extra: 1 });
    const error = toHttpError(result.error);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(error.details)).not.toContain('kw_live_secret');
  });

  it('never leaks an internal message', () => {
    expect(toHttpError(new Error('password=hunter2')).message).not.toContain('hunter2');
  });
});
