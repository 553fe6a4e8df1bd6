import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ManagementScope } from '@keyway/contracts';
import { type Principal } from './principal';
import { AuthError } from './auth.errors';
import { assertLiveKey } from './authorize';

const REQUIRED_SCOPES = 'keyway:required-scopes';
const LIVE_KEY_ONLY = 'keyway:live-key-only';

/** The management scope a route needs (any one of them). */
export const RequireScopes = (...scopes: ManagementScope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/**
 * A route that changes what live keys depend on (members, identities, the workspace): a `test`
 * key may not call it, since a test key manages test keys only (`assertLiveKey`).
 */
export const RequireLiveKey = () => SetMetadata(LIVE_KEY_ONLY, true);

@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<ManagementScope[] | undefined>(
      REQUIRED_SCOPES,
      [context.getHandler(), context.getClass()],
    );
    if (!required?.length) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal === undefined) throw AuthError.unauthenticated();
    if (!required.some((scope) => principal.scopes.includes(scope))) {
      throw AuthError.forbidden({ requiredScopes: required });
    }
    const liveOnly = this.reflector.getAllAndOverride<boolean | undefined>(LIVE_KEY_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (liveOnly) assertLiveKey(principal);
    return true;
  }
}

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
  if (principal === undefined) throw AuthError.unauthenticated();
  return principal;
});
