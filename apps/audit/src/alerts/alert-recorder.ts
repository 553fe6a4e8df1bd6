import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type Alert, type Detection, extend, raise, resolve } from './alert';
import { alertEvent } from './alert-events';
import { alertMetrics } from './alert-metrics';
import { AlertOutboxRepository } from './alert-outbox.repository';
import { AlertsRepository } from './alerts.repository';
import { newId } from './ids';
import { SuppressionsRepository } from './suppressions.repository';

export type Recorded = 'raised' | 'updated' | 'suppressed';

/**
 * Turns detections into alerts within the caller's transaction: a suppressed detection changes
 * nothing; otherwise it updates the key's open alert of its kind, or raises one and stores its
 * `raised` event for the relay. Resolving stores the `resolved` event the same way.
 */
@Injectable()
export class AlertRecorder {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly outbox: AlertOutboxRepository,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  async record(manager: EntityManager, detection: Detection, now: Date): Promise<Recorded> {
    if (await this.suppressions.covers(manager, detection, now)) {
      alertMetrics.suppressed.inc({ kind: detection.kind });
      return 'suppressed';
    }
    // Twice at most: an open alert another transaction inserted meanwhile is found the second time.
    for (let attempt = 0; attempt < 2; attempt++) {
      const open = await this.alerts.findOpenForUpdate(manager, detection.keyId, detection.kind);
      if (open) {
        await this.alerts.updateObserved(manager, extend(open, detection));
        return 'updated';
      }
      const alert = raise(newId('alr', now), detection, now);
      if (await this.alerts.insertIfNoneOpen(manager, alert)) {
        await this.publish(manager, alert);
        alertMetrics.raised.inc({ kind: alert.kind });
        return 'raised';
      }
    }
    throw new Error(`cannot record a ${detection.kind} alert for ${detection.keyId}`);
  }

  async resolve(manager: EntityManager, alert: Alert, now: Date): Promise<Alert> {
    const resolved = resolve(alert, now);
    await this.alerts.markResolved(manager, resolved);
    await this.publish(manager, resolved);
    alertMetrics.resolved.inc({ kind: alert.kind });
    return resolved;
  }

  private async publish(manager: EntityManager, alert: Alert): Promise<void> {
    const event = alertEvent(alert);
    await this.outbox.add(manager, alert.id, event.sequence, JSON.stringify(event));
  }
}
