import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FailureLimiter } from '@keyway/platform-abuse';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { AuditAuthGuard } from './audit-auth.guard';
import { GatewayVerifier } from './gateway-verifier';

/** Authenticates every route that names a scope (`@RequireScope`) through the gateway. */
@Module({
  providers: [
    GatewayVerifier,
    {
      provide: FailureLimiter,
      inject: [AUDIT_CONFIG],
      useFactory: (config: AuditConfig) => new FailureLimiter(config.invalidKeys),
    },
    { provide: APP_GUARD, useClass: AuditAuthGuard },
  ],
})
export class AuthModule {}
