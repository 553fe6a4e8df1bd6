import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type MemberRole } from '@keyway/contracts';
import { type MemberState } from './member.decide';

/**
 * The `members` read model: each member's state (as JSON) plus the columns lookups need. Written
 * only by `MemberProjector`, in the transaction that records the member's events.
 */
@Injectable()
export class MembersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The active member's role (null if not active), locking its row (FOR SHARE) until `tx`
   * commits: a concurrent removal or role change waits, then sees (and revokes or caps) the key
   * this transaction gives the member.
   */
  async lockActiveRole(
    tx: EntityManager,
    workspaceId: string,
    memberId: string,
  ): Promise<MemberRole | null> {
    const [row] = (await tx.query(
      `SELECT role FROM members WHERE id = $1 AND workspace_id = $2 AND status = 'active' FOR SHARE`,
      [memberId, workspaceId],
    )) as { role: MemberRole }[];
    return row?.role ?? null;
  }

  async existsActiveWithEmail(
    tx: EntityManager,
    workspaceId: string,
    email: string,
  ): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM members WHERE workspace_id = $1 AND lower(email) = lower($2) AND status = 'active'`,
      [workspaceId, email],
    );
    return rows.length > 0;
  }

  async hasActiveOwner(tx: EntityManager, workspaceId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM members WHERE workspace_id = $1 AND role = 'owner' AND status = 'active'`,
      [workspaceId],
    );
    return rows.length > 0;
  }

  /** The workspace's active members, oldest first. */
  async listActive(workspaceId: string): Promise<MemberState[]> {
    const rows = (await this.dataSource.query(
      `SELECT resource FROM members WHERE workspace_id = $1 AND status = 'active' ORDER BY created_at, id`,
      [workspaceId],
    )) as { resource: MemberState }[];
    return rows.map((row) => row.resource);
  }

  async findActive(workspaceId: string, memberId: string): Promise<MemberState | null> {
    const [row] = (await this.dataSource.query(
      `SELECT resource FROM members WHERE id = $1 AND workspace_id = $2 AND status = 'active'`,
      [memberId, workspaceId],
    )) as { resource: MemberState }[];
    return row?.resource ?? null;
  }

  /** The row's state, for the projector (any workspace, any status). */
  async findById(tx: EntityManager, memberId: string): Promise<MemberState | null> {
    const [row] = (await tx.query(`SELECT resource FROM members WHERE id = $1`, [memberId])) as {
      resource: MemberState;
    }[];
    return row?.resource ?? null;
  }

  async save(tx: EntityManager, member: MemberState): Promise<void> {
    await tx.query(
      `INSERT INTO members (id, workspace_id, email, role, status, created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, status = EXCLUDED.status,
         version = EXCLUDED.version, resource = EXCLUDED.resource`,
      [
        member.memberId,
        member.workspaceId,
        member.email,
        member.role,
        member.status,
        member.createdAt,
        member.version,
        JSON.stringify(member),
      ],
    );
  }

  /** Empties the table for a rebuild (before `workspaces`, which it refers to). */
  async lockAndClear(tx: EntityManager): Promise<void> {
    await tx.query('LOCK TABLE members IN EXCLUSIVE MODE');
    await tx.query('DELETE FROM members');
  }
}
