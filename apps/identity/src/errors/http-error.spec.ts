import { BadRequestException, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { AuthError } from '../auth/auth.errors';
import { ConcurrencyConflict } from '../event-store/event-store.errors';
import { toApiError } from './error.filter';

describe('toApiError', () => {
  it.each([
    [new ConcurrencyConflict('key_x'), 'CONFLICT'],
    [new AuthError('UNAUTHENTICATED'), 'UNAUTHENTICATED'],
    [new AuthError('FORBIDDEN'), 'FORBIDDEN'],
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
    [new Error('database exploded: password=hunter2'), 'INTERNAL_ERROR'],
  ])('maps %p to %s', (error, code) => {
    expect(toApiError(error).code).toBe(code);
  });

  it('reports validation issues by path without echoing the values', () => {
    const result = z
      .strictObject({ name: z.string().max(3) })
      .safeParse({ name: 'kw_live_secret', extra: 1 });
    const error = toApiError(result.error);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(error.details)).not.toContain('kw_live_secret');
  });

  it('never leaks an internal message', () => {
    expect(toApiError(new Error('password=hunter2')).message).not.toContain('hunter2');
  });
});
