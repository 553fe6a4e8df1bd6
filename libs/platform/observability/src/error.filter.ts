import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ERROR_STATUS, type ErrorBody } from '@keyway/contracts';
import { type HttpError } from './common-http-error';
import { unmatchedRouteRefusal } from './http-errors';

/**
 * Answers every error with the SPEC's JSON body: a request that matched no route gets 404, or 405
 * with `Allow` when its path has other methods; anything else the service's `toHttpError`
 * decides. Registered as `{ provide: APP_FILTER, useValue: new ErrorFilter(toHttpError) }`.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  constructor(private readonly toHttpError: (error: unknown) => HttpError) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const unmatched = unmatchedRouteRefusal(request);
    const answer: HttpError = unmatched ?? this.toHttpError(error);
    if (answer.code === 'INTERNAL_ERROR') {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    const body: ErrorBody = {
      code: answer.code,
      message: answer.message,
      details: { ...answer.details },
      requestId: String((request.raw as { id?: unknown }).id ?? request.id),
    };
    void reply
      .status(ERROR_STATUS[answer.code])
      .headers({ ...answer.headers })
      .send(body);
  }
}
