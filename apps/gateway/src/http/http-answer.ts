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
  return { status: denialStatus(code), headers: { ...headers, 'x-keyway-error-code': code }, body };
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
  const headers: Record<string, string> = { 'x-keyway-error-code': known.code };
  const retryAfter = known.details?.['retryAfterSeconds'];
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  return { status: statusOf(known.code), headers, body };
}
