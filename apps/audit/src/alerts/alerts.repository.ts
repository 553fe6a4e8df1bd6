import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type AlertDetails, type AlertKind, type AlertStatus } from '@keyway/contracts';
import { type Alert, type OutcomeCounts } from './alert';

interface AlertRow {
  id: string;
  workspace_id: string;
  kind: AlertKind;
  key_id: string;
  status: AlertStatus;
  first_seen_at: Date;
  last_seen_at: Date;
  raised_at: Date;
  resolved_at: Date | null;
  counts: OutcomeCounts;
  client_addresses: string[];
  details: AlertDetails;
}

const COLUMNS = `id, workspace_id, kind, key_id, status, first_seen_at, last_seen_at, raised_at,
  resolved_at, counts, client_addresses, details`;

const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  workspaceId: row.workspace_id,
  kind: row.kind,
  keyId: row.key_id,
  status: row.status,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  raisedAt: row.raised_at,
  resolvedAt: row.resolved_at,
  counts: row.counts,
  clientAddresses: row.client_addresses,
  details: row.details,
});

export interface AlertFilter {
  status?: AlertStatus | undefined;
  kind?: AlertKind | undefined;
  keyId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** After this (raised_at, id), in descending order. */
  after?: { at: string; id: string } | undefined;
  limit: number;
}

/** `alerts`: at most one open alert per key and kind. */
@Injectable()
export class AlertsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The key's open alert of this kind, locked until the transaction ends. */
  async findOpenForUpdate(
    manager: EntityManager,
    keyId: string,
    kind: AlertKind,
  ): Promise<Alert | null> {
    const rows: AlertRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM alerts WHERE key_id = $1 AND kind = $2 AND status = 'open' FOR UPDATE`,
      [keyId, kind],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  /** Inserts an open alert unless the key already has one of its kind; false then. */
  async insertIfNoneOpen(manager: EntityManager, alert: Alert): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO alerts (${COLUMNS})
       VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, NULL, $8, $9, $10)
       ON CONFLICT (key_id, kind) WHERE status = 'open' DO NOTHING
       RETURNING id`,
      [
        alert.id,
        alert.workspaceId,
        alert.kind,
        alert.keyId,
        alert.firstSeenAt,
        alert.lastSeenAt,
        alert.raisedAt,
        alert.counts,
        alert.clientAddresses,
        alert.details,
      ],
    );
    return rows.length === 1;
  }

  /** Writes what a detection changed of an open alert. */
  async updateObserved(manager: EntityManager, alert: Alert): Promise<void> {
    await manager.query(
      `UPDATE alerts SET first_seen_at = $2, last_seen_at = $3, counts = $4, client_addresses = $5,
              details = $6
        WHERE id = $1`,
      [
        alert.id,
        alert.firstSeenAt,
        alert.lastSeenAt,
        alert.counts,
        alert.clientAddresses,
        alert.details,
      ],
    );
  }

  /** Open alerts of a kind, oldest activity first, locked (skipping those a detection holds). */
  async findOpenOfKindForUpdate(
    manager: EntityManager,
    kind: AlertKind,
    lastSeenBefore: Date,
  ): Promise<Alert[]> {
    const rows: AlertRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM alerts
        WHERE kind = $1 AND status = 'open' AND last_seen_at < $2
        ORDER BY last_seen_at FOR UPDATE SKIP LOCKED`,
      [kind, lastSeenBefore],
    );
    return rows.map(toAlert);
  }

  /** Thresholds of the open alerts of a kind, by key (a burst's is fixed when it starts). */
  async openThresholds(manager: EntityManager, kind: AlertKind): Promise<Map<string, number>> {
    const rows: Array<{ key_id: string; threshold: number | null }> = await manager.query(
      `SELECT key_id, (details->>'thresholdPerMinute')::int AS threshold FROM alerts
        WHERE kind = $1 AND status = 'open'`,
      [kind],
    );
    return new Map(
      rows.flatMap((row) => (row.threshold === null ? [] : [[row.key_id, row.threshold]])),
    );
  }

  async markResolved(manager: EntityManager, alert: Alert): Promise<void> {
    await manager.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = $2 WHERE id = $1 AND status = 'open'`,
      [alert.id, alert.resolvedAt],
    );
  }

  async findInWorkspace(workspaceId: string, id: string): Promise<Alert | null> {
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM alerts WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  /** A page of the workspace's alerts, newest raised first. */
  async list(workspaceId: string, filter: AlertFilter): Promise<Alert[]> {
    const conditions = ['workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (filter.status) add((n) => `status = ${n}`, filter.status);
    if (filter.kind) add((n) => `kind = ${n}`, filter.kind);
    if (filter.keyId) add((n) => `key_id = ${n}`, filter.keyId);
    if (filter.from) add((n) => `last_seen_at >= ${n}`, filter.from);
    if (filter.to) add((n) => `first_seen_at < ${n}`, filter.to);
    if (filter.after) {
      params.push(filter.after.at, filter.after.id);
      conditions.push(`(raised_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(filter.limit);
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM alerts WHERE ${conditions.join(' AND ')}
        ORDER BY raised_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toAlert);
  }
}
