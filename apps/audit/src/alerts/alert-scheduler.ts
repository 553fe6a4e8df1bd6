import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { Clock } from '../clock';
import { AlertEvaluator } from './alert-evaluator';
import { PeriodicTask } from '../periodic-task';

/** Runs the timer detectors every `AUDIT_ALERT_EVALUATE_INTERVAL_MS` (one replica at a time). */
@Injectable()
export class AlertScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(evaluator: AlertEvaluator, clock: Clock, @Inject(AUDIT_CONFIG) config: AuditConfig) {
    this.task = new PeriodicTask('alert-evaluator', config.alerts.evaluateIntervalMs, async () => {
      await evaluator.evaluate(clock.now());
      return false;
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }
}
