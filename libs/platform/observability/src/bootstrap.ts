import { type RequestListener, type Server } from 'node:http';
import { type INestApplication, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { answerClientError, answerFrameworkError } from './http-errors';
import { recordHttpMetrics } from './http-metrics';
import { ShutdownState } from './shutdown-state';
import { requestIdOf } from './logging';

export interface HttpServiceOptions {
  host: string;
  port: number;
  /** After a stop signal, the process exits by then even if something hangs. */
  shutdownTimeoutMs: number;
  bodyLimitBytes?: number;
  /** Longest path parameter routed (Fastify's `maxParamLength`, default 100); longer is a 404. */
  maxParamLength?: number;
  /**
   * Trust X-Forwarded-For for the client address (Fastify's trustProxy): a number of proxy hops,
   * or these proxies (addresses or CIDRs, comma-separated). `true` trusts every hop, so the
   * address is whatever the client wrote first: do not pass it.
   */
  trustProxy?: boolean | number | string;
  /** Last touches before listening (documentation routes, say). */
  configure?: (app: INestApplication) => void;
  /**
   * Builds the HTTP server around Fastify's handler (Fastify's `serverFactory`), for a service
   * that answers its hottest routes before any framework code runs.
   */
  serverFactory?: (fastifyHandler: RequestListener) => Server;
}

/**
 * Starts a Nest app on Fastify with JSON logs and graceful shutdown (see `shutdown` below). What
 * the HTTP layer refuses before any route (a header section over node's limit, bytes that are not
 * HTTP, a URL that does not decode, a body that is not JSON) is answered in the SPEC's error shape
 * (`http-errors.ts`); the service's exception filter does the same for what reaches Nest, with
 * `unmatchedRouteRefusal` for 404 and 405.
 */
export async function startHttpService(
  module: DynamicModule,
  options: HttpServiceOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
      ...(options.maxParamLength === undefined ? {} : { maxParamLength: options.maxParamLength }),
      genReqId: requestIdOf,
      trustProxy: options.trustProxy ?? false,
      clientErrorHandler: answerClientError,
      frameworkErrors: answerFrameworkError,
      ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
    }),
    // Only Fastify's own JSON parser: a form body is refused (415), never parsed.
    { bufferLogs: true, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  // JSON only: Fastify would parse text/plain too; anything else is a 415 before any route runs.
  fastify.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser, except that an empty body is no body: clients send
  // `Content-Type: application/json` on a DELETE or a body-less POST, which is not malformed JSON.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  recordHttpMetrics(fastify);
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  const shutdown = async (signal: string): Promise<void> => {
    logger.log(`${signal} received, shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${options.shutdownTimeoutMs} ms, exiting`);
      process.exit(1);
    }, options.shutdownTimeoutMs).unref();
    // Readiness red first; then no new connections and in-flight requests finish; only then do
    // consumers leave their groups, the outbox relay flush and connections close (app.close()).
    app.get(ShutdownState).begin();
    await fastify.close();
    await app.close();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    });
  }
  options.configure?.(app);
  await app.listen(options.port, options.host);
  logger.log(`listening on http://${options.host}:${options.port}`);
  return app;
}
