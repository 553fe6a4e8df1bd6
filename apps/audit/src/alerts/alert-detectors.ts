import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { Clock } from '../clock';
import { type IngestedUsage } from '../usage/ingested-usage';
import { type Detection } from './alert';
import { AlertRecorder, type Recorded } from './alert-recorder';
import { KeyHistoryReader } from './key-history.reader';

/**
 * The detectors that judge usage as it is ingested, in ingest's transaction (so an alert exists
 * exactly when the usage that caused it does):
 * - `revoked-key-used` / `expired-key-used`: a window of a known key with REVOKED / EXPIRED
 *   outcomes;
 * - `new-network`: a key first seen at least `AUDIT_ALERT_NEW_NETWORK_KEY_AGE_H` ago used from an
 *   address outside every network (IPv4 /24, IPv6 /48 by default) it was seen from before.
 * Denial bursts are judged on a timer instead (`AlertEvaluator`).
 */
@Injectable()
export class AlertDetectors {
  constructor(
    private readonly recorder: AlertRecorder,
    private readonly history: KeyHistoryReader,
    private readonly clock: Clock,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  /** Judges newly recorded usage windows; returns what each detection did. */
  async observe(manager: EntityManager, usage: readonly IngestedUsage[]): Promise<Recorded[]> {
    const now = this.clock.now();
    const outcomes: Recorded[] = [];
    for (const window of usage) {
      for (const detection of await this.detect(manager, window)) {
        outcomes.push(await this.recorder.record(manager, detection, now));
      }
    }
    return outcomes;
  }

  private async detect(manager: EntityManager, window: IngestedUsage): Promise<Detection[]> {
    const seen = {
      workspaceId: window.workspaceId,
      keyId: window.keyId,
      firstSeenAt: window.firstSeenAt,
      lastSeenAt: window.lastSeenAt,
    };
    const detections: Detection[] = [];
    const { REVOKED, EXPIRED } = window.counts;
    if (REVOKED > 0) {
      detections.push({
        ...seen,
        kind: 'revoked-key-used',
        counts: { REVOKED },
        clientAddresses: window.clientAddresses,
        details: {},
      });
    }
    if (EXPIRED > 0) {
      detections.push({
        ...seen,
        kind: 'expired-key-used',
        counts: { EXPIRED },
        clientAddresses: window.clientAddresses,
        details: {},
      });
    }
    const { newNetwork } = this.config.alerts;
    const unseen = await this.history.unseenNetworks(
      manager,
      window.keyId,
      window.newAddresses,
      new Date(window.windowStart.getTime() - newNetwork.keyAgeMs),
      { v4: newNetwork.ipv4Prefix, v6: newNetwork.ipv6Prefix },
    );
    if (unseen.length > 0) {
      detections.push({
        ...seen,
        kind: 'new-network',
        counts: Object.fromEntries(Object.entries(window.counts).filter(([, n]) => n > 0)),
        clientAddresses: unseen.map((u) => u.address),
        details: { networks: [...new Set(unseen.map((u) => u.network))] },
      });
    }
    return detections;
  }
}
