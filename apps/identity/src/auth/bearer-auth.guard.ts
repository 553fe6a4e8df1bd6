import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AuthError } from './auth.errors';

/** Passport's bearer strategy, failing with our own error instead of Nest's HttpException. */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error) throw error;
    if (!user) throw AuthError.unauthenticated();
    return user;
  }
}
