import { NotFoundException } from '@nestjs/common';
import { commonHttpError, httpErrorMapper } from './common-http-error';
import { DomainError } from './domain-error';

const sqlError = (code: string) => Object.assign(new Error('x'), { driverError: { code } });

class ThingError extends DomainError<'THING_NOT_FOUND'> {}

describe('commonHttpError', () => {
  it('answers a value Postgres refused with 400 and the service’s message', () => {
    expect(commonHttpError(sqlError('22P02'), { invalidValueMessage: 'bad value' })).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'bad value',
      details: {},
    });
  });

  it('answers a unique violation with 409 only when the service asks for it', () => {
    expect(commonHttpError(sqlError('23505'), { invalidValueMessage: 'm' }).code).toBe(
      'INTERNAL_ERROR',
    );
    expect(
      commonHttpError(sqlError('23505'), {
        invalidValueMessage: 'm',
        uniqueViolationIsConflict: true,
      }).code,
    ).toBe('CONFLICT');
  });

  it('answers an HTTP exception by its status, with a fixed message', () => {
    expect(
      commonHttpError(new NotFoundException('/x?key=secret'), { invalidValueMessage: 'm' }),
    ).toEqual({ code: 'NOT_FOUND', message: 'no such route', details: {} });
  });
});

describe('httpErrorMapper', () => {
  const toHttpError = httpErrorMapper<ThingError>(
    [ThingError],
    (error) => ({ code: 'NOT_FOUND', message: error.message, details: error.details }),
    { invalidValueMessage: 'm' },
  );

  it('sends the service’s domain errors through its own mapping, the rest through the common one', () => {
    expect(toHttpError(new ThingError('THING_NOT_FOUND', 'no thing', { id: 't' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'no thing',
      details: { id: 't' },
    });
    expect(toHttpError(new Error('password=hunter2'))).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'something went wrong on our side',
      details: {},
    });
  });
});
