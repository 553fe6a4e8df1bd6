import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { type FastifyRequest } from 'fastify';
import { AuthError, AuthErrorCode } from './auth.errors';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { type Principal } from './principal';

/**
 * Passport's bearer strategy, failing with our own error instead of Nest's HttpException. A client
 * address with too many failed authentications lately is refused first (429, `Retry-After`),
 * before its key is looked up (`FailedAuthLimiter`).
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  constructor(private readonly failures: FailedAuthLimiter) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credential = bearerCredential(request.headers.authorization);
    const retryAfter = this.failures.retryAfterSeconds(request.ip, credential);
    if (retryAfter > 0) throw AuthError.tooManyInvalidKeys(retryAfter);
    try {
      const allowed = (await super.canActivate(context)) as boolean;
      const principal = (request as FastifyRequest & { user?: Principal }).user;
      if (principal !== undefined) this.failures.recordSuccess(principal.keyHash);
      return allowed;
    } catch (error) {
      // Only a presented key that failed counts: a request without any key is not a guess.
      if (
        credential !== null &&
        error instanceof AuthError &&
        error.code === AuthErrorCode.UNAUTHENTICATED
      ) {
        this.failures.recordFailure(request.ip);
      }
      throw error;
    }
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error) throw error;
    if (!user) throw AuthError.unauthenticated();
    return user;
  }
}

/** The credential of `Authorization: Bearer <credential>`, or null without one. */
export function bearerCredential(header: string | undefined): string | null {
  return /^bearer +(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}
