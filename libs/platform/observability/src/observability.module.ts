import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health.controller';
import { loggerParams } from './logging';
import { READINESS_CHECKS } from './readiness';

export interface ObservabilityOptions {
  service: string;
  logLevel: string;
  /** Provides `ReadinessCheck[]` under READINESS_CHECKS. */
  readiness: Omit<Extract<Provider, { useFactory: unknown }>, 'provide'>;
}

/** JSON logs (pino), `/metrics` (Prometheus), `/health/live` and `/health/ready` (Terminus). */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot(loggerParams(options.service, options.logLevel)),
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { service: options.service },
          defaultMetrics: { enabled: true },
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [{ provide: READINESS_CHECKS, ...options.readiness }],
    };
  }
}
