import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type AlertKind, type VerificationCode } from '@keyway/contracts';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { type OutcomeCounts } from './alert';
import { AlertRecorder } from './alert-recorder';
import { AlertsRepository } from './alerts.repository';
import {
  burstEnded,
  DENIAL_CODES,
  type DenialMinute,
  detectBursts,
  lastCompleteMinute,
} from './denial-burst.rule';
import { DetectorProgressRepository } from './detector-progress.repository';
import { type DenialMinuteRow, KeyHistoryReader } from './key-history.reader';

/** One evaluator runs at a time across replicas: it holds this advisory lock for its transaction. */
const EVALUATOR_LOCK_ID = 0x616c65727476; // "alertv"
const BURST = 'denial-burst';
const MINUTE_MS = 60_000;

export interface Evaluation {
  /** False when another replica's evaluator held the lock. */
  ran: boolean;
  evaluatedThrough: Date | null;
  raised: number;
  resolved: number;
}

/**
 * The timer detectors, in one transaction: denial bursts over the minute rollups (each complete
 * minute judged once, after `AUDIT_ALERT_SETTLE_S`), the end of bursts, and the quiet-period end
 * of revoked/expired-key and new-network alerts (which no ingest would ever notice: quiet means
 * no usage).
 */
@Injectable()
export class AlertEvaluator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recorder: AlertRecorder,
    private readonly alerts: AlertsRepository,
    private readonly history: KeyHistoryReader,
    private readonly progress: DetectorProgressRepository,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  evaluate(now: Date): Promise<Evaluation> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        EVALUATOR_LOCK_ID,
      ])) as { locked: boolean }[];
      if (lock?.locked !== true) {
        return { ran: false, evaluatedThrough: null, raised: 0, resolved: 0 };
      }
      const bursts = await this.evaluateBursts(manager, now);
      const { deniedKeyQuietMinutes, newNetwork } = this.config.alerts;
      let resolved = bursts.resolved;
      resolved += await this.resolveQuiet(manager, 'revoked-key-used', deniedKeyQuietMinutes, now);
      resolved += await this.resolveQuiet(manager, 'expired-key-used', deniedKeyQuietMinutes, now);
      resolved += await this.resolveQuiet(manager, 'new-network', newNetwork.quietMinutes, now);
      return { ran: true, evaluatedThrough: bursts.through, raised: bursts.raised, resolved };
    });
  }

  private async evaluateBursts(manager: EntityManager, now: Date) {
    const rule = this.config.alerts.burst;
    const through = lastCompleteMinute(now, this.config.alerts.settleMs);
    // Catch up at most one baseline's worth of minutes (a first start or a long outage).
    const earliest = new Date(through.getTime() - rule.baselineMinutes * MINUTE_MS);
    const done = await this.progress.evaluatedThrough(manager, BURST);
    const from = done === null || done < earliest ? earliest : done;
    let raised = 0;
    if (from < through) {
      const rows = await this.history.denialMinutes(
        manager,
        from,
        through,
        rule.floorPerMinute,
        rule.baselineMinutes,
      );
      const open = await this.alerts.openThresholds(manager, BURST);
      for (const detection of detectBursts(rows.map(denialMinute), open, rule)) {
        if ((await this.recorder.record(manager, detection, now)) === 'raised') raised++;
      }
      await this.progress.advance(manager, BURST, through);
    }
    let resolved = 0;
    const candidates = await this.alerts.findOpenOfKindForUpdate(
      manager,
      BURST,
      new Date(through.getTime() + 1),
    );
    for (const alert of candidates) {
      if (!burstEnded(alert.lastSeenAt, through, rule)) continue;
      await this.recorder.resolve(manager, alert, now);
      resolved++;
    }
    return { through, raised, resolved };
  }

  private async resolveQuiet(
    manager: EntityManager,
    kind: AlertKind,
    quietMinutes: number,
    now: Date,
  ): Promise<number> {
    const cutoff = new Date(now.getTime() - quietMinutes * MINUTE_MS);
    const quiet = await this.alerts.findOpenOfKindForUpdate(manager, kind, cutoff);
    for (const alert of quiet) await this.recorder.resolve(manager, alert, now);
    return quiet.length;
  }
}

const COLUMN_OF: Readonly<Record<(typeof DENIAL_CODES)[number], keyof DenialMinuteRow>> = {
  REVOKED: 'revoked',
  EXPIRED: 'expired',
  WRONG_ENVIRONMENT: 'wrong_environment',
  FORBIDDEN_ADDRESS: 'forbidden_address',
  INSUFFICIENT_SCOPE: 'insufficient_scope',
  USAGE_EXCEEDED: 'usage_exceeded',
  RATE_LIMITED: 'rate_limited',
};

function denialMinute(row: DenialMinuteRow): DenialMinute {
  const counts: OutcomeCounts = {};
  for (const code of DENIAL_CODES) {
    const count = Number(row[COLUMN_OF[code]]);
    if (count > 0) counts[code as VerificationCode] = count;
  }
  return {
    workspaceId: row.workspace_id,
    keyId: row.key_id,
    minute: row.bucket_start,
    counts,
    denials: Number(row.denials),
    baselineDenials: Number(row.baseline),
    historyMinutes: row.history_minutes,
    clientAddresses: row.client_addresses,
  };
}
