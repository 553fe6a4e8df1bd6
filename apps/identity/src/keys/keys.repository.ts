import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type KeyEnvironment, type MemberRole } from '@keyway/contracts';
import { type SqlStatement } from '../event-store/event-store';
import { type KeyState } from './key.state';

/** What authenticating a caller needs of its key. */
export interface KeyCredentials {
  id: string;
  workspaceId: string;
  environment: KeyEnvironment;
  scopes: string[];
  ownerId: string | null;
  /** The owning member's current role; null when the owner is not an active member (or none). */
  ownerRole: MemberRole | null;
}

export interface KeyListFilter {
  status?: 'active' | 'revoked' | 'expired' | undefined;
  environment?: 'live' | 'test' | undefined;
  ownerId?: string | undefined;
  /** Keys strictly older than this one (the previous page's last). */
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/**
 * The `keys` read model: each key's state (as JSON) plus the columns lookups need. Written only
 * by `KeyProjector`, in the transaction that records the key's events; a deleted key has no row.
 */
@Injectable()
export class KeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The active, unexpired key whose secret (or previous secret, in its grace period) has `hash`,
   * with its owning member's current role: both read in one round trip on every authenticated
   * request, never cached, so a revoke or a demotion counts at once. (The one query that reads
   * `members` outside `MembersRepository`: authentication is the hot path of every call.)
   */
  async findActiveByHash(hash: string, now: Date): Promise<KeyCredentials | null> {
    const [row] = (await this.dataSource.query(
      `SELECT k.id, k.workspace_id, k.environment, k.scopes, k.owner_id, m.role AS owner_role FROM keys k
         LEFT JOIN members m
           ON m.id = k.owner_id AND m.workspace_id = k.workspace_id AND m.status = 'active'
        WHERE k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > $2)
          AND (k.key_hash = $1 OR (k.previous_key_hash = $1 AND k.previous_key_expires_at > $2))`,
      [hash, now],
    )) as {
      id: string;
      workspace_id: string;
      environment: KeyEnvironment;
      scopes: string[];
      owner_id: string | null;
      owner_role: MemberRole | null;
    }[];
    if (row === undefined) return null;
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      environment: row.environment,
      scopes: row.scopes,
      ownerId: row.owner_id,
      ownerRole: row.owner_role,
    };
  }

  /** Active keys whose expiry has come, soonest first. */
  async findDueForExpiry(now: Date, limit: number): Promise<{ id: string; workspaceId: string }[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, workspace_id FROM keys WHERE status = 'active' AND expires_at <= $1
        ORDER BY expires_at LIMIT $2`,
      [now, limit],
    )) as { id: string; workspace_id: string }[];
    return rows.map((row) => ({ id: row.id, workspaceId: row.workspace_id }));
  }

  /**
   * Active keys with a secret ending within `leadTimeMs` of now whose end is not announced yet
   * (`key.expiring`): the same rule as the decision, over the partial indexes of migration
   * 1732320000003.
   */
  async findDueForExpiring(
    now: Date,
    leadTimeMs: number,
    limit: number,
  ): Promise<{ id: string; workspaceId: string }[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, workspace_id FROM keys
        WHERE status = 'active' AND expires_at IS NOT NULL
          AND expires_at IS DISTINCT FROM expiring_notified_for
          AND expires_at > $1 AND expires_at <= $2
       UNION
       SELECT id, workspace_id FROM keys
        WHERE status = 'active' AND previous_key_expires_at IS NOT NULL
          AND previous_key_expires_at IS DISTINCT FROM previous_expiring_notified_for
          AND previous_key_expires_at > $1 AND previous_key_expires_at <= $2
          AND (expires_at IS NULL OR previous_key_expires_at < expires_at)
       LIMIT $3`,
      [now, new Date(now.getTime() + leadTimeMs), limit],
    )) as { id: string; workspace_id: string }[];
    return rows.map((row) => ({ id: row.id, workspaceId: row.workspace_id }));
  }

  /** Ids of the active keys `ownerId` owns in the workspace. */
  async findActiveIdsOwnedBy(
    tx: EntityManager,
    workspaceId: string,
    ownerId: string,
  ): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT id FROM keys WHERE workspace_id = $1 AND owner_id = $2 AND status = 'active'`,
      [workspaceId, ownerId],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** The workspace's active keys that carry a `keyway:*` scope (few: management keys). */
  async findActiveWithManagementScopes(
    tx: EntityManager,
    workspaceId: string,
  ): Promise<KeyState[]> {
    const rows = (await tx.query(
      `SELECT resource FROM keys
        WHERE workspace_id = $1 AND status = 'active'
          AND EXISTS (SELECT 1 FROM unnest(scopes) AS scope WHERE scope LIKE 'keyway:%')`,
      [workspaceId],
    )) as { resource: KeyState }[];
    return rows.map((row) => row.resource);
  }

  /** A workspace's keys, newest first. */
  async list(workspaceId: string, filter: KeyListFilter): Promise<KeyState[]> {
    const where = ['workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.environment) add('environment = ?', filter.environment);
    if (filter.ownerId) add('owner_id = ?', filter.ownerId);
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(filter.limit);
    const rows = (await this.dataSource.query(
      `SELECT resource FROM keys WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as { resource: KeyState }[];
    return rows.map((row) => row.resource);
  }

  async findInWorkspace(workspaceId: string, keyId: string): Promise<KeyState | null> {
    const [row] = (await this.dataSource.query(
      `SELECT resource FROM keys WHERE id = $1 AND workspace_id = $2`,
      [keyId, workspaceId],
    )) as { resource: KeyState }[];
    return row?.resource ?? null;
  }

  /** The row's state, for the projector (any workspace). */
  async findById(tx: EntityManager, keyId: string): Promise<KeyState | null> {
    const [row] = (await tx.query(`SELECT resource FROM keys WHERE id = $1`, [keyId])) as {
      resource: KeyState;
    }[];
    return row?.resource ?? null;
  }

  async save(tx: EntityManager, key: KeyState): Promise<void> {
    const { sql, params } = this.saveStatement(key);
    await tx.query(sql, params);
  }

  /** The upsert of `key`'s row, for the event store to send with the key's events. */
  saveStatement(key: KeyState): SqlStatement {
    return {
      sql: `INSERT INTO keys (id, workspace_id, key_hash, previous_key_hash, previous_key_expires_at, environment,
                         status, scopes, owner_id, expires_at, created_at, version, resource,
                         expiring_notified_for, previous_expiring_notified_for)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash,
         previous_key_hash = EXCLUDED.previous_key_hash,
         previous_key_expires_at = EXCLUDED.previous_key_expires_at, status = EXCLUDED.status,
         scopes = EXCLUDED.scopes, owner_id = EXCLUDED.owner_id, expires_at = EXCLUDED.expires_at,
         version = EXCLUDED.version, resource = EXCLUDED.resource,
         expiring_notified_for = EXCLUDED.expiring_notified_for,
         previous_expiring_notified_for = EXCLUDED.previous_expiring_notified_for`,
      params: [
        key.keyId,
        key.workspaceId,
        key.keyHash,
        key.previousKeyHash,
        key.previousKeyExpiresAt,
        key.environment,
        key.status,
        key.scopes,
        key.ownerId,
        key.expiresAt,
        key.createdAt,
        key.version,
        JSON.stringify(key),
        key.expiringNotifiedFor,
        key.previousExpiringNotifiedFor,
      ],
    };
  }

  async delete(tx: EntityManager, keyId: string): Promise<void> {
    const { sql, params } = this.deleteStatement(keyId);
    await tx.query(sql, params);
  }

  deleteStatement(keyId: string): SqlStatement {
    return { sql: 'DELETE FROM keys WHERE id = $1', params: [keyId] };
  }

  /** Empties the table for a rebuild; writers wait until the rebuild commits. */
  async lockAndClear(tx: EntityManager): Promise<void> {
    await tx.query('LOCK TABLE keys IN EXCLUSIVE MODE');
    await tx.query('DELETE FROM keys');
  }
}
