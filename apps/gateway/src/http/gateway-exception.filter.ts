import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type GatewayErrorBody, type GatewayErrorCode } from '@keyway/contracts';
import { GatewayError } from '../gateway-error';
import { statusOf } from './gateway-error-status';

const BY_STATUS: Readonly<Record<number, GatewayErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/**
 * The SPEC's error body for everything Nest serves (health, metrics, docs, unknown routes). The
 * message never echoes the request: a URL may carry a credential in its query.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(GatewayExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = this.toGatewayError(exception);
    if (error.code === 'INTERNAL_ERROR')
      this.logger.error(String((exception as Error)?.stack ?? exception));
    const body: GatewayErrorBody = {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      requestId: request.id,
    };
    void reply.code(statusOf(error.code)).send(body);
  }

  private toGatewayError(exception: unknown): GatewayError {
    if (exception instanceof GatewayError) return exception;
    if (exception instanceof HttpException) {
      const code = BY_STATUS[exception.getStatus()];
      if (code === 'NOT_FOUND') return new GatewayError(code, 'no such route');
      if (code !== undefined) return new GatewayError(code, code.toLowerCase().replace(/_/g, ' '));
    }
    return new GatewayError('INTERNAL_ERROR', 'an unexpected error occurred');
  }
}
