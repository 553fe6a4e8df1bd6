import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

/** A key of a report, with its last activity. */
export interface ReportedKeyRow {
  readonly key_id: string;
  readonly name: string | null;
  readonly environment: string | null;
  readonly owner_id: string | null;
  readonly created_at: Date;
  readonly rotated_at: Date | null;
  readonly last_used_at: Date | null;
  readonly last_seen_at: Date | null;
}

export interface ReportPage<TAfter> {
  readonly workspaceId: string;
  readonly now: Date;
  readonly cutoff: Date;
  readonly after: TAfter | null;
  readonly limit: number;
}

// Active: neither revoked, expired nor deleted, even when the expiry event has yet to arrive.
const ACTIVE = `k.workspace_id = $1 AND k.status = 'active' AND k.deleted_at IS NULL
  AND (k.expires_at IS NULL OR k.expires_at > $2)`;
const COLUMNS = `k.key_id, k.name, k.environment, k.owner_id, k.created_at, k.rotated_at,
  a.last_used_at, a.last_seen_at`;

/**
 * Reads `audit_keys` (kept by the key event consumer) for workspace scoping and the key reports.
 * The reports join `key_activity` for each key's last use.
 */
@Injectable()
export class AuditKeysReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether audit knows the key in the workspace: from its events, or from its usage. */
  async isKnownInWorkspace(workspaceId: string, keyId: string): Promise<boolean> {
    const [row]: Array<{ known: boolean }> = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM audit_keys WHERE key_id = $1 AND workspace_id = $2)
           OR EXISTS (SELECT 1 FROM key_activity WHERE key_id = $1 AND workspace_id = $2) AS known`,
      [keyId, workspaceId],
    );
    return row?.known === true;
  }

  /**
   * Active keys created before the cutoff and not used (no VALID verification) since: never-used
   * ones included. By key id, after `after`.
   */
  async inactive(page: ReportPage<string>): Promise<ReportedKeyRow[]> {
    return this.dataSource.query(
      // An anti-join, not a filter on the outer join: the planner then walks the keys in id order
      // and stops at the limit (a filter on last_used_at it misestimates and sorts everything).
      // The repeated `key_id > $4` let the merge joins start at the cursor.
      `SELECT ${COLUMNS}
         FROM audit_keys k
         LEFT JOIN key_activity a ON a.key_id = k.key_id AND ($4::text IS NULL OR a.key_id > $4)
        WHERE ${ACTIVE}
          AND k.created_at < $3
          AND NOT EXISTS (SELECT 1 FROM key_activity u
                           WHERE u.key_id = k.key_id AND u.last_used_at >= $3
                             AND ($4::text IS NULL OR u.key_id > $4))
          AND ($4::text IS NULL OR k.key_id > $4)
        ORDER BY k.key_id
        LIMIT $5`,
      [page.workspaceId, page.now, page.cutoff, page.after, page.limit],
    );
  }

  /** Active keys neither rotated nor created since the cutoff, the longest unrotated first. */
  async stale(page: ReportPage<{ since: string; keyId: string }>): Promise<ReportedKeyRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS}
         FROM audit_keys k LEFT JOIN key_activity a ON a.key_id = k.key_id
        WHERE ${ACTIVE}
          AND COALESCE(k.rotated_at, k.created_at) < $3
          AND ($4::timestamptz IS NULL
               OR (COALESCE(k.rotated_at, k.created_at), k.key_id) > ($4::timestamptz, $5::text))
        ORDER BY COALESCE(k.rotated_at, k.created_at), k.key_id
        LIMIT $6`,
      [
        page.workspaceId,
        page.now,
        page.cutoff,
        page.after?.since ?? null,
        page.after?.keyId ?? null,
        page.limit,
      ],
    );
  }
}
