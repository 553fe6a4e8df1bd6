import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { EventPublisher } from '@keyway/platform-kafka';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { alertMetrics } from './alert-metrics';
import { AlertOutboxRepository } from './alert-outbox.repository';
import { PeriodicTask } from '../periodic-task';

const BATCH_SIZE = 500;
const PUBLISHED_RETENTION = '24 hours';
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Publishes alert events to `keyway.audit-alerts.v1` at least once: sends a batch, waits for
 * Kafka's acknowledgement, then marks it published in the transaction that locked it. While Kafka
 * is down it retries with back-off and the events wait in `alert_outbox`; a crash between send
 * and mark sends them again (consumers dedupe by subject and sequence).
 */
@Injectable()
export class AlertPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private lastPrune = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: AlertOutboxRepository,
    private readonly publisher: EventPublisher,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
  ) {
    this.task = new PeriodicTask('alert-publisher', config.alerts.publishIntervalMs, async () => {
      const published = await this.publishOnce();
      await this.pruneIfDue();
      return published === BATCH_SIZE;
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Publishes one batch; returns how many (0: nothing waiting, or another replica publishes). */
  publishOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.outbox.tryLeadRelay(manager))) return 0;
      const messages = await this.outbox.findUnpublished(manager, BATCH_SIZE);
      alertMetrics.pending.set(messages.length);
      if (messages.length === 0) return 0;
      await this.publisher.send(
        messages.map((message) => ({
          topic: TOPICS.auditAlerts,
          key: message.alertId,
          value: message.payload,
          headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
        })),
      );
      await this.outbox.markPublished(
        manager,
        messages.map((message) => message.id),
      );
      return messages.length;
    });
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.outbox.deletePublishedBefore(PUBLISHED_RETENTION);
  }
}
