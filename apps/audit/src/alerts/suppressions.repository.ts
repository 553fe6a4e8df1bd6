import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type AlertKind } from '@keyway/contracts';
import { type Detection } from './alert';

export interface Suppression {
  id: string;
  workspaceId: string;
  keyId: string | null;
  cidr: string | null;
  kind: AlertKind | null;
  endsAt: Date | null;
  reason: string;
  createdAt: Date;
  createdBy: string;
  deletedAt: Date | null;
  deletedBy: string | null;
}

interface SuppressionRow {
  id: string;
  workspace_id: string;
  key_id: string | null;
  cidr: string | null;
  kind: AlertKind | null;
  ends_at: Date | null;
  reason: string;
  created_at: Date;
  created_by: string;
  deleted_at: Date | null;
  deleted_by: string | null;
}

const COLUMNS = `id, workspace_id, key_id, cidr::text AS cidr, kind, ends_at, reason, created_at,
  created_by, deleted_at, deleted_by`;

const toSuppression = (row: SuppressionRow): Suppression => ({
  id: row.id,
  workspaceId: row.workspace_id,
  keyId: row.key_id,
  cidr: row.cidr,
  kind: row.kind,
  endsAt: row.ends_at,
  reason: row.reason,
  createdAt: row.created_at,
  createdBy: row.created_by,
  deletedAt: row.deleted_at,
  deletedBy: row.deleted_by,
});

/** `alert_suppressions`: what silences detections, per workspace; deleted ones are kept. */
@Injectable()
export class SuppressionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, s: Suppression): Promise<Suppression> {
    const rows: SuppressionRow[] = await manager.query(
      `INSERT INTO alert_suppressions (id, workspace_id, key_id, cidr, kind, ends_at, reason,
                                       created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${COLUMNS}`,
      [s.id, s.workspaceId, s.keyId, s.cidr, s.kind, s.endsAt, s.reason, s.createdAt, s.createdBy],
    );
    return toSuppression(rows[0] as SuppressionRow);
  }

  /** Marks a live suppression of the workspace deleted; null when there is none by that id. */
  async markDeleted(
    manager: EntityManager,
    workspaceId: string,
    id: string,
    at: Date,
    by: string,
  ): Promise<Suppression | null> {
    const [rows]: [SuppressionRow[], number] = await manager.query(
      `UPDATE alert_suppressions SET deleted_at = $3, deleted_by = $4
        WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL
        RETURNING ${COLUMNS}`,
      [workspaceId, id, at, by],
    );
    return rows[0] ? toSuppression(rows[0]) : null;
  }

  /**
   * Whether a live suppression covers the detection: same workspace, key (if it names one), kind
   * (if it names one), and every client address of the detection inside its range (if it has one;
   * a detection without addresses is not inside any range).
   */
  async covers(manager: EntityManager, detection: Detection, now: Date): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM alert_suppressions s
        WHERE s.workspace_id = $1 AND s.deleted_at IS NULL
          AND (s.ends_at IS NULL OR s.ends_at > $5)
          AND (s.key_id IS NULL OR s.key_id = $2)
          AND (s.kind IS NULL OR s.kind = $3)
          AND (s.cidr IS NULL OR (cardinality($4::inet[]) > 0
               AND NOT EXISTS (SELECT 1 FROM unnest($4::inet[]) AS a(address)
                                WHERE NOT a.address <<= s.cidr)))
        LIMIT 1`,
      [detection.workspaceId, detection.keyId, detection.kind, detection.clientAddresses, now],
    );
    return rows.length > 0;
  }

  /** A page of the workspace's suppressions not deleted, newest first. */
  async listLive(
    workspaceId: string,
    filter: { keyId?: string | undefined; after?: { at: string; id: string }; limit: number },
  ): Promise<Suppression[]> {
    const conditions = ['workspace_id = $1', 'deleted_at IS NULL'];
    const params: unknown[] = [workspaceId];
    if (filter.keyId) {
      params.push(filter.keyId);
      conditions.push(`key_id = $${params.length}`);
    }
    if (filter.after) {
      params.push(filter.after.at, filter.after.id);
      conditions.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(filter.limit);
    const rows: SuppressionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM alert_suppressions WHERE ${conditions.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSuppression);
  }
}
