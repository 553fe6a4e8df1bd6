import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { READINESS_CHECKS, type ReadinessCheck, withTimeout } from './readiness';
import { ShutdownState } from './shutdown-state';

const CHECK_TIMEOUT_MS = 2_000;

/**
 * `/health/live`: the process is up. `/health/ready`: every dependency answers and the service
 * is not shutting down, so a load balancer stops sending traffic before connections close.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.indicate('shutdown', async () => {
          if (this.shutdown.isShuttingDown) throw new Error('shutting down');
        }),
      ...this.checks.map(
        (dependency) => () =>
          this.indicate(dependency.name, () => dependency.check(), dependency.critical ?? true),
      ),
    ]);
  }

  private async indicate(
    name: string,
    check: () => Promise<void>,
    critical = true,
  ): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(name);
    try {
      await withTimeout(check(), CHECK_TIMEOUT_MS, name);
      return indicator.up();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return critical ? indicator.down({ message }) : indicator.up({ degraded: true, message });
    }
  }
}
