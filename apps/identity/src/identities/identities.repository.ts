import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type IdentityState } from './identity.decide';

export interface IdentityListFilter {
  /** Identities strictly older than this one (the previous page's last). */
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/**
 * The `identities` read model: each identity's state (as JSON) plus the columns lookups need.
 * Written only by `IdentityProjector`, in the transaction that records the identity's events; a
 * deleted identity keeps its row with `status = 'deleted'`.
 */
@Injectable()
export class IdentitiesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Serialises the changes to one external id of a workspace until `tx` commits, so that two
   * `PUT`s of a new external id create one identity, not two.
   */
  async lockExternalId(tx: EntityManager, workspaceId: string, externalId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `identity:${workspaceId}:${externalId}`,
    ]);
  }

  /** The live identity of the workspace with this external id, else null. */
  async findActive(
    workspaceId: string,
    externalId: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<IdentityState | null> {
    const [row] = (await tx.query(
      `SELECT resource FROM identities WHERE workspace_id = $1 AND external_id = $2 AND status = 'active'`,
      [workspaceId, externalId],
    )) as { resource: IdentityState }[];
    return row?.resource ?? null;
  }

  /**
   * Whether the external id names a live identity of the workspace, locking its row (FOR SHARE)
   * until `tx` commits: a concurrent delete waits, then sees (and revokes) the key this
   * transaction gives the identity.
   */
  async lockIfActive(tx: EntityManager, workspaceId: string, externalId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM identities WHERE workspace_id = $1 AND external_id = $2 AND status = 'active' FOR SHARE`,
      [workspaceId, externalId],
    );
    return rows.length > 0;
  }

  /** A workspace's live identities, newest first. */
  async list(workspaceId: string, filter: IdentityListFilter): Promise<IdentityState[]> {
    const params: unknown[] = [workspaceId];
    let after = '';
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      after = `AND (created_at, id) < ($2::timestamptz, $3)`;
    }
    params.push(filter.limit);
    const rows = (await this.dataSource.query(
      `SELECT resource FROM identities WHERE workspace_id = $1 AND status = 'active' ${after}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as { resource: IdentityState }[];
    return rows.map((row) => row.resource);
  }

  /** The row's state, for the projector (any workspace, any status). */
  async findById(tx: EntityManager, identityId: string): Promise<IdentityState | null> {
    const [row] = (await tx.query(`SELECT resource FROM identities WHERE id = $1`, [
      identityId,
    ])) as { resource: IdentityState }[];
    return row?.resource ?? null;
  }

  async save(tx: EntityManager, identity: IdentityState): Promise<void> {
    await tx.query(
      `INSERT INTO identities (id, workspace_id, external_id, status, created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
         resource = EXCLUDED.resource`,
      [
        identity.identityId,
        identity.workspaceId,
        identity.externalId,
        identity.status,
        identity.createdAt,
        identity.version,
        JSON.stringify(identity),
      ],
    );
  }

  /** Empties the table for a rebuild (before `workspaces`, which it refers to). */
  async lockAndClear(tx: EntityManager): Promise<void> {
    await tx.query('LOCK TABLE identities IN EXCLUSIVE MODE');
    await tx.query('DELETE FROM identities');
  }
}
