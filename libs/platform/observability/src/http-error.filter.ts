import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import {
  frameworkRefusal,
  type HttpRefusal,
  sendRefusal,
  unmatchedRouteRefusal,
} from './http-errors';

const INTERNAL: HttpRefusal = {
  status: 500,
  code: 'INTERNAL_ERROR',
  message: 'something went wrong on our side',
  details: {},
  headers: {},
};

/**
 * The SPEC's error body for a service without domain errors of its own (audit): what the HTTP
 * layer refuses, Nest's HTTP exceptions by status, anything else a logged 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const answer = unmatchedRouteRefusal(request) ?? frameworkRefusal(error);
    if (answer === null) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    sendRefusal(reply, answer ?? INTERNAL, request.id);
  }
}
