import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { frameworkRefusal, unmatchedRouteRefusal } from '@keyway/platform-observability';
import { GatewayError } from '../gateway-error';
import { errorOfStatus } from './gateway-error-status';
import { errorAnswer } from './http-answer';

/**
 * The SPEC's error body for everything Nest serves (health, metrics, docs, unknown routes: 404, or
 * 405 with `Allow` when the path has other methods). The message never echoes the request: a URL
 * may carry a credential in its query.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(GatewayExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const refusal = unmatchedRouteRefusal(request) ?? frameworkRefusal(exception);
    const known = refusal
      ? new GatewayError(refusal.code, refusal.message, { ...refusal.details })
      : exception instanceof HttpException
        ? errorOfStatus(exception.getStatus())
        : null;
    if (!known && !(exception instanceof GatewayError)) {
      this.logger.error(String((exception as Error)?.stack ?? exception));
    }
    const answer = errorAnswer(known ?? exception, request.id);
    void reply.code(answer.status).headers(answer.headers).send(answer.body);
  }
}
