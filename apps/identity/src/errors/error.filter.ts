import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ERROR_STATUS, type ErrorBody } from '@keyway/contracts';
import { toHttpError } from './http-error';

/** Answers every error with the SPEC's JSON body (`toHttpError` decides which). */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const answer = toHttpError(error);
    if (answer.code === 'INTERNAL_ERROR') {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    const body: ErrorBody = {
      code: answer.code,
      message: answer.message,
      details: { ...answer.details },
      requestId: String((request.raw as { id?: unknown }).id ?? request.id),
    };
    void reply.status(ERROR_STATUS[answer.code]).send(body);
  }
}
