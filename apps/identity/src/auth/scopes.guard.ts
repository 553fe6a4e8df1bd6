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

const REQUIRED_SCOPES = 'keyway:required-scopes';

/** The management scope a route needs (any one of them). */
export const RequireScopes = (...scopes: ManagementScope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

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
    return true;
  }
}

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
  if (principal === undefined) throw AuthError.unauthenticated();
  return principal;
});
