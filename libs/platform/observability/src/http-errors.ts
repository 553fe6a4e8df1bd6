import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { HttpException } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type ErrorCode, type GatewayErrorCode } from '@keyway/contracts';

/** The codes the HTTP layer answers with, in every service (in identity's and the gateway's lists). */
export type HttpLayerErrorCode = ErrorCode & GatewayErrorCode;

/**
 * A request refused by the HTTP layer itself (no route, a body or URL it cannot read), before any
 * of the service's own code ran. The message never contains the request: a URL may carry a key in
 * its query.
 */
export interface HttpRefusal {
  readonly status: number;
  readonly code: HttpLayerErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
}

const refusal = (
  status: number,
  code: HttpLayerErrorCode,
  message: string,
  headers: Record<string, string> = {},
  details: Record<string, unknown> = {},
): HttpRefusal => ({ status, code, message, details, headers });

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A request that matched no route: `405` with `Allow` (the methods the router has for its path)
 * when the path exists, `404` otherwise. Null when the request matched a route.
 */
export function unmatchedRouteRefusal(request: FastifyRequest): HttpRefusal | null {
  if (request.routeOptions.url !== undefined) return null;
  const path = request.url.split('?', 1)[0] ?? '/';
  const allowed = METHODS.filter(
    (method) => request.server.findRoute({ method, url: path }) !== null,
  );
  if (allowed.length === 0) return refusal(404, 'NOT_FOUND', 'no such route');
  const allow = allowed.join(', ');
  return refusal(
    405,
    'METHOD_NOT_ALLOWED',
    'the route does not take this method',
    { allow },
    { allow },
  );
}

/**
 * What the framework refused, as the SPEC's codes: Fastify's own errors (body parsing, size, media
 * type, URL encoding) and Nest's HTTP exceptions, which is how Fastify's errors reach a Nest
 * exception filter (Nest rewraps them keeping only status and message). Null for anything else.
 */
export function frameworkRefusal(error: unknown): HttpRefusal | null {
  if (error instanceof HttpException) {
    const answer = refusalOfStatus(error.getStatus());
    const down = failedHealthChecks(error.getResponse());
    return answer && down ? { ...answer, details: { ...answer.details, down } } : answer;
  }
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return refusal(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_BAD_URL':
      return refusal(400, 'VALIDATION_ERROR', 'the URL is not validly percent-encoded');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return refusal(400, 'VALIDATION_ERROR', 'the body does not match its Content-Length');
    default:
      break;
  }
  // The JSON parser's SyntaxError, and any other refusal Fastify marks with a client status.
  return typeof statusCode === 'number' ? refusalOfStatus(statusCode) : null;
}

/**
 * The names of the failed checks of a readiness answer (Terminus' 503 body: `{ error: { <name>:
 * … } }`), so an operator sees which dependency is down; their messages stay in the log (they may
 * name internal hosts). Null for anything else.
 */
function failedHealthChecks(body: unknown): string[] | null {
  const failed = (body as { status?: unknown; error?: unknown } | null)?.error;
  if ((body as { status?: unknown } | null)?.status !== 'error') return null;
  if (failed === null || typeof failed !== 'object') return null;
  return Object.keys(failed).sort();
}

const STATUS_REFUSALS: Readonly<Record<number, readonly [HttpLayerErrorCode, string]>> = {
  400: ['VALIDATION_ERROR', 'the request body is not valid JSON'],
  401: ['UNAUTHENTICATED', 'unauthenticated'],
  403: ['FORBIDDEN', 'forbidden'],
  404: ['NOT_FOUND', 'no such route'],
  405: ['METHOD_NOT_ALLOWED', 'method not allowed'],
  408: ['REQUEST_TIMEOUT', 'the request took too long to arrive'],
  413: ['PAYLOAD_TOO_LARGE', 'the request body is too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json'],
  429: ['RATE_LIMITED', 'rate limited'],
  431: ['HEADERS_TOO_LARGE', 'the request headers are too large'],
  503: ['UNAVAILABLE', 'unavailable'],
};

/**
 * A status as its refusal with a fixed message (a framework's own message may echo the URL), or
 * null for a status not listed.
 */
export function refusalOfStatus(status: number): HttpRefusal | null {
  const known = STATUS_REFUSALS[status];
  return known ? refusal(status, known[0], known[1]) : null;
}

/** The SPEC's error body of a refusal. */
export function refusalBody(answer: HttpRefusal, requestId: string) {
  return { code: answer.code, message: answer.message, details: answer.details, requestId };
}

/** Sends a refusal through Fastify, with the SPEC's body and the request id. */
export function sendRefusal(reply: FastifyReply, answer: HttpRefusal, requestId: string): void {
  void reply
    .code(answer.status)
    .headers({ ...answer.headers, 'x-request-id': requestId })
    .send(refusalBody(answer, requestId));
}

/**
 * Fastify's `frameworkErrors`: a URL its router cannot decode (`/%zz`) is answered here, before
 * any route; the SPEC's body instead of Fastify's own (which echoes the URL).
 */
export function answerFrameworkError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  sendRefusal(
    reply,
    frameworkRefusal(error) ?? refusal(400, 'VALIDATION_ERROR', 'the request is malformed'),
    request.id,
  );
}

/**
 * The server's `clientError` (Fastify's `clientErrorHandler`): what node:http refuses before any
 * request exists (headers over its limit, bytes that are not HTTP, a request that never finished
 * arriving). Written as raw bytes on the socket, in the SPEC's shape, with a fresh request id.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? refusalOfStatus(431)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? refusalOfStatus(408)
        : refusal(400, 'VALIDATION_ERROR', 'the request is not valid HTTP');
  if (answer !== null && socket.writable) {
    const requestId = randomUUID();
    const body = JSON.stringify(refusalBody(answer, requestId));
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  // As node:http itself does: the connection cannot be read any further.
  socket.destroy();
}
