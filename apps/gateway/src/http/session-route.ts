import { Injectable } from '@nestjs/common';
import {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { frameworkRefusal } from '@keyway/platform-observability';
import { GatewayError } from '../gateway-error';
import { errorAnswer, type HttpAnswer } from './http-answer';
import { VerificationHandlers } from './verification-handlers';

/** `POST /v1/sessions` on Fastify (it is not on every request's path, unlike verification). */
@Injectable()
export class SessionRoute {
  constructor(private readonly handlers: VerificationHandlers) {}

  register(fastify: FastifyInstance): void {
    void fastify.register(async (scope) => {
      scope.setErrorHandler((error: FastifyError, request, reply) =>
        send(reply, errorAnswer(fromFastify(error), request.id)),
      );
      scope.post('/v1/sessions', async (request: FastifyRequest, reply: FastifyReply) => {
        const call = {
          method: request.method,
          url: request.url,
          headers: request.headers,
          ip: request.ip,
          requestId: request.id,
        };
        send(reply, await this.handlers.createSession(call, request.body));
      });
    });
  }
}

function send(reply: FastifyReply, answer: HttpAnswer): void {
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** Fastify's own refusals (body parsing, size, media type) in the gateway's vocabulary. */
function fromFastify(error: FastifyError | GatewayError): unknown {
  if (error instanceof GatewayError) return error;
  const refusal = frameworkRefusal(error);
  return refusal ? new GatewayError(refusal.code, refusal.message) : error;
}
