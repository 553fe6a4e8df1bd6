import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type FastifyRequest } from 'fastify';
import { type ManagementScope } from '@keyway/contracts';
import { FailureLimiter } from '@keyway/platform-abuse';
import { AuthError, AuthErrorCode } from './auth.errors';
import { type Caller } from './caller';
import { GatewayVerifier } from './gateway-verifier';

const SCOPE = Symbol('audit:scope');

/** The scope a route needs; every audit route but health and metrics has one. */
export const RequireScope = (scope: ManagementScope) => SetMetadata(SCOPE, scope);

type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

/** The caller the guard verified. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw AuthError.unauthenticated();
  return caller;
});

/** The credential of `Authorization: Bearer <credential>`, or null without one. */
export function bearerCredential(header: string | undefined): string | null {
  return /^bearer +(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}

/**
 * Authenticates every route that names a scope, through the gateway. An address that presented
 * too many rejected keys lately is refused before the gateway is asked.
 */
@Injectable()
export class AuditAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: GatewayVerifier,
    private readonly failures: FailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<ManagementScope | undefined>(SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (scope === undefined) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = bearerCredential(request.headers.authorization);
    if (key === null) throw AuthError.unauthenticated();
    const retryAfter = this.failures.retryAfterSeconds(request.ip);
    if (retryAfter > 0) throw AuthError.tooManyInvalidKeys(retryAfter);
    try {
      request.caller = await this.verifier.verify(key, scope, request.ip);
    } catch (error) {
      if (error instanceof AuthError && error.code === AuthErrorCode.UNAUTHENTICATED) {
        this.failures.recordFailure(request.ip);
      }
      throw error;
    }
    return true;
  }
}
