import { Global, Module } from '@nestjs/common';
import { FailedAuthLimiter } from './failed-auth-limiter';

/** What `BearerAuthGuard` needs wherever a controller uses it: one limiter per process. */
@Global()
@Module({ providers: [FailedAuthLimiter], exports: [FailedAuthLimiter] })
export class AuthModule {}
