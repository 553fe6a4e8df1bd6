import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type MemberKeysPolicy, type RateLimit } from '@keyway/contracts';
import { type WorkspaceState } from './workspace.decide';

/** What issuing a key needs of its workspace. */
export interface WorkspaceSettings {
  id: string;
  name: string;
  prefix: string;
  defaultRateLimits: RateLimit[];
  memberKeys: MemberKeysPolicy;
}

/** Serialises bootstraps so that two at once cannot both find the platform empty. */
const BOOTSTRAP_LOCK_ID = 0x626f6f74; // "boot"

/**
 * The `workspaces` read model: each workspace's state (as JSON) plus its settings' columns.
 * Written only by `WorkspaceProjector`, in the transaction that records the workspace's events.
 */
@Injectable()
export class WorkspacesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findSettings(
    workspaceId: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<WorkspaceSettings | null> {
    const [row] = (await tx.query(
      `SELECT id, name, prefix, default_rate_limits, resource->>'memberKeys' AS member_keys
       FROM workspaces WHERE id = $1`,
      [workspaceId],
    )) as {
      id: string;
      name: string;
      prefix: string;
      default_rate_limits: RateLimit[];
      member_keys: MemberKeysPolicy | null;
    }[];
    if (row === undefined) return null;
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      defaultRateLimits: row.default_rate_limits,
      // Rows written before the policy existed hold none: the default.
      memberKeys: row.member_keys ?? 'none',
    };
  }

  async findById(
    workspaceId: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<WorkspaceState | null> {
    const [row] = (await tx.query('SELECT resource FROM workspaces WHERE id = $1', [
      workspaceId,
    ])) as { resource: WorkspaceState }[];
    // Rows written before the key policy existed hold none: the default.
    return row ? { ...row.resource, memberKeys: row.resource.memberKeys ?? 'none' } : null;
  }

  /**
   * Locks the workspace's row until commit: serialises role changes and removals in a workspace,
   * so that two cannot remove its last owners.
   */
  async lockForMemberChange(tx: EntityManager, workspaceId: string): Promise<void> {
    await tx.query('SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId]);
  }

  /** Whether any workspace exists, after waiting out any other bootstrap (lock held to commit). */
  async anyExistsForBootstrap(tx: EntityManager): Promise<boolean> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
    const [{ count }] = (await tx.query('SELECT count(*)::int AS count FROM workspaces')) as [
      { count: number },
    ];
    return count > 0;
  }

  async save(tx: EntityManager, workspace: WorkspaceState): Promise<void> {
    await tx.query(
      `INSERT INTO workspaces (id, name, prefix, default_rate_limits, created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, prefix = EXCLUDED.prefix,
         default_rate_limits = EXCLUDED.default_rate_limits, version = EXCLUDED.version,
         resource = EXCLUDED.resource`,
      [
        workspace.workspaceId,
        workspace.name,
        workspace.prefix,
        JSON.stringify(workspace.defaultRateLimits),
        workspace.createdAt,
        workspace.version,
        JSON.stringify(workspace),
      ],
    );
  }

  /** Empties the table for a rebuild (after `members`, which refers to it). */
  async lockAndClear(tx: EntityManager): Promise<void> {
    await tx.query('LOCK TABLE workspaces IN EXCLUSIVE MODE');
    await tx.query('DELETE FROM workspaces');
  }
}
