import { createHash } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { nestingDepth } from '@keyway/contracts';
import { type Principal } from '../auth/principal';
import { IdempotencyError, IdempotencyErrorCode } from './idempotency.errors';
import { IdempotencyRepository } from './idempotency.repository';

const HEADER = 'idempotency-key';
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/** Deeper than any valid request body. */
const MAX_HASHED_BODY_DEPTH = 64;

/**
 * `Idempotency-Key` on POST: the same key with the same request replays the first response (one
 * change recorded); with a different request it is refused with 422; while the first is still
 * running, 409.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly records: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: Principal }>();
    const header = request.headers[HEADER];
    if (request.method !== 'POST' || header === undefined || request.user === undefined)
      return next.handle();
    // No route accepts a body nested this deep (metadata stops at 16): leave it to the validation
    // pipe's 400 rather than hash it, since serialising it would exhaust the stack.
    if (nestingDepth(request.body, MAX_HASHED_BODY_DEPTH) > MAX_HASHED_BODY_DEPTH) {
      return next.handle();
    }
    if (typeof header !== 'string' || !VALID_KEY.test(header)) {
      throw new IdempotencyError(
        IdempotencyErrorCode.IDEMPOTENCY_KEY_INVALID,
        'Idempotency-Key must be 1–255 printable ASCII characters',
        { header: 'Idempotency-Key' },
      );
    }
    const principal = request.user;
    const status: number =
      Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    return from(
      this.run(
        principal.keyId,
        header,
        requestHash,
        status,
        http.getResponse<FastifyReply>(),
        next,
      ),
    );
  }

  private async run(
    principalKeyId: string,
    key: string,
    requestHash: string,
    status: number,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    const claim = await this.records.claim(principalKeyId, key, requestHash);
    switch (claim.outcome) {
      case 'replay':
        // The status is the route's own (the same as the first time): only the body is replayed.
        void reply.header('idempotent-replayed', 'true');
        return claim.body;
      case 'in-progress':
        throw new IdempotencyError(
          IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_USE,
          'a request with this Idempotency-Key is still in progress',
        );
      case 'mismatch':
        throw new IdempotencyError(
          IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
          'this Idempotency-Key was used with a different request',
          { header: 'Idempotency-Key' },
        );
      case 'claimed':
        try {
          const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
          await this.records.complete(principalKeyId, key, status, body);
          return body;
        } catch (error) {
          await this.records.release(principalKeyId, key);
          throw error;
        }
    }
  }
}
