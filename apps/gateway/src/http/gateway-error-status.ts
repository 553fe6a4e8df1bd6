import { type GatewayErrorCode } from '@keyway/contracts';

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
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'RATE_LIMITED':
    case 'TOO_MANY_INVALID_KEYS':
      return 429;
    case 'UNAVAILABLE':
      return 503;
    case 'INTERNAL_ERROR':
      return 500;
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): never {
  throw new Error(`unmapped gateway error code ${String(code)}`);
}
