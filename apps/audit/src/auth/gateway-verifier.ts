import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  GatewayErrorBody,
  type ManagementScope,
  VerifyKeyRequest,
  VerifyKeyResponse,
} from '@keyway/contracts';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { AuthError } from './auth.errors';
import { type Caller } from './caller';

/**
 * Asks the gateway's `POST /v1/verify` whether a key may do something: audit is one more API
 * behind Keyway and keeps no copy of the verification rules. Anything but a clear answer (the
 * gateway down, slow, not caught up, answering nonsense) refuses the request: fail closed.
 */
@Injectable()
export class GatewayVerifier {
  private readonly logger = new Logger(GatewayVerifier.name);

  constructor(@Inject(AUDIT_CONFIG) private readonly config: AuditConfig) {}

  async verify(key: string, scope: ManagementScope, clientAddress: string | null): Promise<Caller> {
    const body: VerifyKeyRequest = {
      key,
      scopes: [scope],
      // Reading audit spends none of the key's credits (a billing matter of the APIs it calls);
      // the key's own rate limit still applies.
      credits: { cost: 0 },
      ...(clientAddress === null ? {} : { clientAddress }),
    };
    let response: Response;
    try {
      response = await fetch(`${this.config.gateway.url}/v1/verify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(clientAddress === null ? {} : { 'x-forwarded-for': clientAddress }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.gateway.timeoutMs),
      });
    } catch (error) {
      this.logger.warn(`gateway unreachable: ${error instanceof Error ? error.name : 'error'}`);
      throw AuthError.unavailable();
    }
    // The gateway refuses a key it cannot even read (too long, say) as a bad request.
    if (response.status === 400) throw AuthError.unauthenticated({ reason: 'MALFORMED' });
    // The gateway's own invalid-key limiter refused this address: a clear answer, not an outage.
    if (response.status === 429) {
      const refusal = GatewayErrorBody.safeParse(await response.json().catch(() => null));
      if (refusal.success && refusal.data.code === 'TOO_MANY_INVALID_KEYS') {
        throw AuthError.tooManyInvalidKeys(retryAfterSeconds(response.headers.get('retry-after')));
      }
    }
    if (response.status !== 200) {
      this.logger.warn(`gateway answered ${response.status} to a verification`);
      throw AuthError.unavailable();
    }
    const parsed = VerifyKeyResponse.safeParse(await response.json().catch(() => null));
    if (!parsed.success) {
      this.logger.warn('gateway answered a verification with an unexpected body');
      throw AuthError.unavailable();
    }
    return callerOf(parsed.data);
  }
}

/** A `Retry-After` in whole seconds (at least 1; 1 when absent or not a number). */
export function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  return Number.isInteger(seconds) && seconds > 0 ? seconds : 1;
}

/** The gateway's verdict as a caller, or the refusal it amounts to. */
export function callerOf(verdict: VerifyKeyResponse): Caller {
  switch (verdict.code) {
    case 'VALID':
      if (verdict.keyId === null || verdict.workspaceId === null) throw AuthError.unavailable();
      return { keyId: verdict.keyId, workspaceId: verdict.workspaceId, scopes: verdict.scopes };
    case 'MALFORMED':
    case 'NOT_FOUND':
    case 'REVOKED':
    case 'EXPIRED':
      throw AuthError.unauthenticated({ reason: verdict.code });
    case 'WRONG_ENVIRONMENT':
    case 'FORBIDDEN_ADDRESS':
    case 'INSUFFICIENT_SCOPE':
      throw AuthError.forbidden({ reason: verdict.code });
    case 'RATE_LIMITED':
    case 'USAGE_EXCEEDED': {
      const resetAt = verdict.ratelimit ? Date.parse(verdict.ratelimit.resetAt) : Number.NaN;
      const seconds = Number.isFinite(resetAt) ? Math.ceil((resetAt - Date.now()) / 1000) : 1;
      throw AuthError.rateLimited(Math.max(1, seconds), { reason: verdict.code });
    }
  }
}
