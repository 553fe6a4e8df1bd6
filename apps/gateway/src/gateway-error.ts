import { type GatewayErrorCode } from '@keyway/contracts';

/**
 * The gateway's one domain error: a stable code (docs/api/gateway.md), thrown by use cases and
 * mapped to HTTP once (`http/gateway-error-status.ts`).
 */
/** The end of an exhaustive switch: a value no case took is a bug, not an input. */
export function unreachable(value: never): never {
  throw new Error(`unmapped gateway error code ${String(value)}`);
}

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
