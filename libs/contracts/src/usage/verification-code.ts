import { z } from 'zod';

/** Outcome of a verification, as the gateway answers it in `code`. */
export const VERIFICATION_CODES = [
  'VALID',
  'MALFORMED',
  'NOT_FOUND',
  'REVOKED',
  'EXPIRED',
  'WRONG_ENVIRONMENT',
  'FORBIDDEN_ADDRESS',
  'INSUFFICIENT_SCOPE',
  'USAGE_EXCEEDED',
  'RATE_LIMITED',
] as const;

export const VerificationCode = z.enum(VERIFICATION_CODES);
export type VerificationCode = z.infer<typeof VerificationCode>;
