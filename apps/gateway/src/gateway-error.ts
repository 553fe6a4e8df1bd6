import { type GatewayErrorCode } from '@keyway/contracts';

/**
 * The gateway's one domain error: a stable code (docs/api/gateway.md), thrown by use cases and
 * mapped to HTTP once (`http/gateway-error-status.ts`).
 */
export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
