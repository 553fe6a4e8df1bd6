import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Logger } from '@nestjs/common';
import proxyAddr from 'proxy-addr';
import { observeHttpRequest, requestIdOf } from '@keyway/platform-observability';
import { GatewayError } from '../gateway-error';
import { errorOfStatus } from './gateway-error-status';
import { errorAnswer, type HttpAnswer } from './http-answer';
import { type IncomingCall, type VerificationHandlers } from './verification-handlers';

const BODY_LIMIT_BYTES = 64 * 1024;
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

type Route = '/v1/verify' | '/v1/authorize';

/**
 * The gateway's HTTP server. `POST /v1/verify` and any method on `/v1/authorize` are answered
 * here, on `node:http` directly, before any framework code runs: they are every API request's
 * hot path (docs/benchmarks.md). Everything else (sessions, health, metrics, docs) goes to
 * Fastify and Nest. Until the handlers are attached (the app is still starting), all goes to
 * Fastify.
 */
export class HotPath {
  private readonly logger = new Logger(HotPath.name);
  private handlers: VerificationHandlers | undefined;
  private readonly trusted: (address: string, hop: number) => boolean;

  constructor(trustProxy: string | false) {
    this.trusted =
      trustProxy === false
        ? () => false
        : proxyAddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
  }

  /** Fastify's `serverFactory`. */
  readonly serverFactory = (fastifyHandler: RequestListener): Server => {
    const server = createServer((request, response) => {
      const route = this.handlers && hotRoute(request.url ?? '');
      if (route) this.serve(route, request, response);
      else fastifyHandler(request, response);
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    return server;
  };

  attach(handlers: VerificationHandlers): void {
    this.handlers = handlers;
  }

  private serve(route: Route, request: IncomingMessage, response: ServerResponse): void {
    const started = process.hrtime.bigint();
    const call: IncomingCall = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      ip: proxyAddr(request, this.trusted),
      requestId: requestIdOf(request),
    };
    this.answer(route, call, request)
      .catch((error: unknown) => {
        if (!(error instanceof GatewayError)) {
          this.logger.error(`${call.method} ${route}: ${String((error as Error)?.stack ?? error)}`);
        }
        return errorAnswer(error, call.requestId);
      })
      .then((answer) => {
        write(response, answer, call.requestId);
        observeHttpRequest(
          call.method,
          route,
          answer.status,
          Number(process.hrtime.bigint() - started) / 1e9,
        );
      })
      .catch((error: unknown) => {
        this.logger.error(`writing the answer failed: ${String(error)}`);
        response.destroy();
      });
  }

  private async answer(
    route: Route,
    call: IncomingCall,
    request: IncomingMessage,
  ): Promise<HttpAnswer> {
    const handlers = this.handlers as VerificationHandlers;
    if (route === '/v1/authorize') {
      request.resume(); // an ingress forwards no body worth reading
      return handlers.authorize(call);
    }
    if (call.method !== 'POST') {
      request.resume();
      throw new GatewayError('METHOD_NOT_ALLOWED', 'use POST', { allow: 'POST' });
    }
    return handlers.verify(call, await readJson(request));
  }
}

function hotRoute(url: string): Route | undefined {
  if (url === '/v1/verify' || url.startsWith('/v1/verify?')) return '/v1/verify';
  if (
    url === '/v1/authorize' ||
    url.startsWith('/v1/authorize/') ||
    url.startsWith('/v1/authorize?')
  ) {
    return '/v1/authorize';
  }
  return undefined;
}

/** The JSON body, at most 64 KiB; refusals as the gateway's errors. */
function readJson(request: IncomingMessage): Promise<unknown> {
  if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    request.resume();
    return Promise.reject(errorOfStatus(415));
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) {
    request.resume();
    return Promise.reject(errorOfStatus(413));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        reject(errorOfStatus(413));
      } else {
        chunks.push(chunk);
      }
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > BODY_LIMIT_BYTES) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        reject(errorOfStatus(400));
      }
    });
  });
}

function write(response: ServerResponse, answer: HttpAnswer, requestId: string): void {
  const headers: Record<string, string | number> = { ...answer.headers, 'x-request-id': requestId };
  if (answer.body === undefined) {
    headers['content-length'] = 0;
    response.writeHead(answer.status, headers).end();
    return;
  }
  const body = JSON.stringify(answer.body);
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = Buffer.byteLength(body);
  response.writeHead(answer.status, headers).end(body);
}
