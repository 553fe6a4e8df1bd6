import { type VerificationCode } from '@keyway/contracts';
import { unreachable } from '../gateway-error';

/** The HTTP status of a refused verification when it is an HTTP answer (forward auth, sessions). */
export function denialStatus(code: Exclude<VerificationCode, 'VALID'>): 401 | 403 | 429 {
  switch (code) {
    case 'MALFORMED':
    case 'NOT_FOUND':
    case 'REVOKED':
    case 'EXPIRED':
      return 401;
    case 'WRONG_ENVIRONMENT':
    case 'FORBIDDEN_ADDRESS':
    case 'INSUFFICIENT_SCOPE':
    case 'USAGE_EXCEEDED':
      return 403;
    case 'RATE_LIMITED':
      return 429;
    default:
      return unreachable(code);
  }
}

export const DENIAL_MESSAGES: Readonly<Record<VerificationCode, string>> = {
  VALID: 'the key is valid',
  MALFORMED: 'the credential is not a well-formed key or session token',
  NOT_FOUND: 'no such key',
  REVOKED: 'the key was revoked',
  EXPIRED: 'the key (or session) expired',
  WRONG_ENVIRONMENT: 'the key belongs to another environment',
  FORBIDDEN_ADDRESS: 'the key may not be used from this address',
  INSUFFICIENT_SCOPE: 'the key lacks a required scope',
  USAGE_EXCEEDED: 'the key has no credits left',
  RATE_LIMITED: 'rate limit exceeded',
};
