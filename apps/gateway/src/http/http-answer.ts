import { type GatewayErrorBody, type VerificationCode } from '@keyway/contracts';
import { GatewayError } from '../gateway-error';
import { DENIAL_MESSAGES, denialStatus } from './denial-status';
import { statusOf } from './gateway-error-status';

/** What a verification route answers, whichever server writes it. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Serialized as JSON; none for forward auth's 200 (ingresses keep their connection). */
  readonly body?: object;
}

/** A refused key as an HTTP answer (forward auth, sessions), with the SPEC's error body. */
export function denial(
  code: Exclude<VerificationCode, 'VALID'>,
  requestId: string,
  headers: Record<string, string> = {},
): HttpAnswer {
  const body: GatewayErrorBody = { code, message: DENIAL_MESSAGES[code], requestId };
  const status = denialStatus(code);
  return {
    status,
    headers: { ...headers, ...challenge(status), 'x-keyway-error-code': code },
    body,
  };
}

/** A thrown error as an HTTP answer: the gateway's codes through `statusOf`, anything else 500. */
export function errorAnswer(error: unknown, requestId: string): HttpAnswer {
  const known =
    error instanceof GatewayError
      ? error
      : new GatewayError('INTERNAL_ERROR', 'an unexpected error occurred');
  const body: GatewayErrorBody = {
    code: known.code,
    message: known.message,
    ...(known.details ? { details: known.details } : {}),
    requestId,
  };
  const status = statusOf(known.code);
  const headers: Record<string, string> = {
    ...challenge(status),
    'x-keyway-error-code': known.code,
  };
  const retryAfter = known.details?.['retryAfterSeconds'];
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  const allow = known.details?.['allow'];
  if (typeof allow === 'string') headers['allow'] = allow;
  return { status, headers, body };
}

/** A 401 names the scheme that would authenticate (RFC 9110 §11.6.1). */
const challenge = (status: number): Record<string, string> =>
  status === 401 ? { 'www-authenticate': 'Bearer realm="keyway"' } : {};
