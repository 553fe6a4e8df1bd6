import { type GatewayErrorCode } from '@keyway/contracts';
import { GatewayError, unreachable } from '../gateway-error';

/** The HTTP status of each code: the only place the gateway's errors meet HTTP. */
export function statusOf(code: GatewayErrorCode): number {
  switch (code) {
    case 'VALIDATION_ERROR':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'METHOD_NOT_ALLOWED':
      return 405;
    case 'REQUEST_TIMEOUT':
      return 408;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'RATE_LIMITED':
    case 'TOO_MANY_INVALID_KEYS':
      return 429;
    case 'HEADERS_TOO_LARGE':
      return 431;
    case 'UNAVAILABLE':
      return 503;
    case 'INTERNAL_ERROR':
      return 500;
    default:
      return unreachable(code);
  }
}

const REFUSALS: Readonly<Record<number, readonly [GatewayErrorCode, string]>> = {
  400: ['VALIDATION_ERROR', 'the request body is not valid JSON'],
  401: ['UNAUTHENTICATED', 'unauthenticated'],
  403: ['FORBIDDEN', 'forbidden'],
  404: ['NOT_FOUND', 'no such route'],
  405: ['METHOD_NOT_ALLOWED', 'method not allowed'],
  413: ['PAYLOAD_TOO_LARGE', 'the request body is too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'send application/json'],
  429: ['RATE_LIMITED', 'rate limited'],
  503: ['UNAVAILABLE', 'unavailable'],
};

/**
 * An HTTP status that a framework or the HTTP layer refused with (a body Fastify could not
 * parse, a route Nest does not have) as the gateway's error; null for any other status.
 */
export function errorOfStatus(status: number | undefined): GatewayError | null {
  const refusal = status === undefined ? undefined : REFUSALS[status];
  return refusal ? new GatewayError(refusal[0], refusal[1]) : null;
}
