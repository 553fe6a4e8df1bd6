import { z } from 'zod';
import { VerificationCode } from '../usage/verification-code';

/** Stable error codes of the gateway's HTTP API (docs/api/gateway.md). */
export const GATEWAY_ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'TOO_MANY_INVALID_KEYS',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'HEADERS_TOO_LARGE',
  'UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/**
 * SPEC "Errors": the gateway's error body. `code` is a gateway error code, or, when forward auth
 * or a session exchange refuses a key, its verification code (`REVOKED`, `RATE_LIMITED`…).
 */
export const GatewayErrorBody = z
  .object({
    code: z.union([z.enum(GATEWAY_ERROR_CODES), VerificationCode.exclude(['VALID'])]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  })
  .meta({ id: 'GatewayErrorBody' });
export type GatewayErrorBody = z.infer<typeof GatewayErrorBody>;
