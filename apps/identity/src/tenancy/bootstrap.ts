import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type BootstrapResult, PLATFORM_ADMIN_SCOPE } from '@keyway/contracts';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { CreateWorkspace } from './create-workspace';
import { TenancyError, TenancyErrorCode } from './tenancy.errors';

/**
 * Creates the first workspace, its owner and the owner's key, which also holds
 * `keyway:platform:admin`. Refuses once any workspace exists.
 */
@Injectable()
export class Bootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesRepository,
    private readonly createWorkspace: CreateWorkspace,
  ) {}

  async execute(input: { workspace: string; ownerEmail: string }): Promise<BootstrapResult> {
    return this.dataSource.transaction(async (tx) => {
      if (await this.workspaces.anyExistsForBootstrap(tx)) {
        throw new TenancyError(
          TenancyErrorCode.ALREADY_BOOTSTRAPPED,
          'Keyway is already bootstrapped: a workspace exists',
        );
      }
      const created = await this.createWorkspace.execute(
        {
          name: input.workspace,
          ownerEmail: input.ownerEmail,
          extraScopes: [PLATFORM_ADMIN_SCOPE],
        },
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
