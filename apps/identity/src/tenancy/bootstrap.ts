import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { PLATFORM_ADMIN } from '../auth/permissions';
import { ApiError } from '../http/error-codes';
import { WorkspacesService } from './workspaces.service';

/** Serialises bootstraps so that two at once cannot both find the platform empty. */
const BOOTSTRAP_LOCK_ID = 0x626f6f74; // "boot"

export interface BootstrapResult {
  workspaceId: string;
  memberId: string;
  key: string;
}

/**
 * Creates the first workspace, its owner and the owner's key, which also holds
 * `keyway:platform:admin`. Refuses once any workspace exists.
 */
@Injectable()
export class Bootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
  ) {}

  async execute(input: { workspace: string; ownerEmail: string }): Promise<BootstrapResult> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
      const [{ count }] = (await tx.query('SELECT count(*)::int AS count FROM workspaces')) as [
        { count: number },
      ];
      if (count > 0) {
        throw new ApiError('CONFLICT', 'Keyway is already bootstrapped: a workspace exists');
      }
      const created = await this.workspaces.create(
        { name: input.workspace, ownerEmail: input.ownerEmail, extraScopes: [PLATFORM_ADMIN] },
        { actor: 'system' },
        tx,
      );
      return {
        workspaceId: created.workspace.id,
        memberId: created.member.id,
        key: created.key.key,
      };
    });
  }
}
