import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams } from './logging';
import { ShutdownState } from './shutdown-state';

export interface ObservabilityOptions {
  service: string;
  logLevel: string;
  /**
   * False: no per-request logger at all (no pino-http middleware, hence no AsyncLocalStorage and
   * its promise hooks on every request), for a service whose hot path must stay lean; its own
   * log lines still go through the root logger. Default true.
   */
  requestLogging?: boolean;
}

/**
 * JSON logs (pino), `/metrics` (Prometheus) and Terminus. The app declares `HealthController`
 * and provides its `ReadinessCheck[]` under `READINESS_CHECKS` (see `healthEndpoints`).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          ...loggerParams(options.service, options.logLevel),
          ...(options.requestLogging === false ? { forRoutes: [] } : {}),
        }),
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { service: options.service },
          defaultMetrics: { enabled: true },
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [ShutdownState],
      exports: [TerminusModule, ShutdownState],
    };
  }
}
