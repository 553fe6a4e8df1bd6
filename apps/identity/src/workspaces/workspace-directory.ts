import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type RateLimit } from '@keyway/contracts';
import { ApiError } from '../http/error-codes';

export interface WorkspaceSettings {
  id: string;
  name: string;
  prefix: string;
  defaultRateLimits: RateLimit[];
}

/** Lookups of workspaces and members in the read models. */
@Injectable()
export class WorkspaceDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(
    workspaceId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<WorkspaceSettings> {
    const [row] = (await manager.query(
      'SELECT id, name, prefix, default_rate_limits FROM workspaces WHERE id = $1',
      [workspaceId],
    )) as { id: string; name: string; prefix: string; default_rate_limits: RateLimit[] }[];
    if (row === undefined) throw new ApiError('NOT_FOUND', 'workspace not found');
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      defaultRateLimits: row.default_rate_limits,
    };
  }

  /**
   * Whether the member is active. Inside a transaction the row is locked (FOR SHARE) until
   * commit, so a concurrent removal waits and then sees, and revokes, what this one wrote.
   */
  async isActiveMember(
    workspaceId: string,
    memberId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM members WHERE id = $1 AND workspace_id = $2 AND status = 'active' FOR SHARE`,
      [memberId, workspaceId],
    );
    return rows.length > 0;
  }
}
