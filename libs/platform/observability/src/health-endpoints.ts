import { type InjectionToken } from '@nestjs/common';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

/** The app's health endpoints: `HealthController` and its readiness checks, built from `inject`. */
export function healthEndpoints<const TDeps extends unknown[]>(
  inject: { [K in keyof TDeps]: InjectionToken },
  checks: (...deps: TDeps) => ReadinessCheck[],
) {
  return {
    controllers: [HealthController],
    providers: [
      {
        provide: READINESS_CHECKS,
        inject,
        useFactory: checks as (...deps: unknown[]) => ReadinessCheck[],
      },
    ],
  };
}
