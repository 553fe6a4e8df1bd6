import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type CreatedWorkspace, ROLE_SCOPES } from '@keyway/contracts';
import { type EventContext } from '../event-store/event-store';
import { IssueKey } from '../keys/issue-key';
import { MembersService } from '../members/members.service';
import { workspaceResource } from '../workspaces/workspace-resource';
import { WorkspacesService } from '../workspaces/workspaces.service';

export interface CreateWorkspaceInput {
  name: string;
  prefix?: string | undefined;
  ownerEmail: string;
  /** Scopes beyond the owner role's for the owner key (bootstrap adds platform admin). */
  extraScopes?: readonly string[];
}

/** A workspace, its owner member and the owner's key, in one transaction. */
@Injectable()
export class CreateWorkspace {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly members: MembersService,
    private readonly issueKey: IssueKey,
  ) {}

  /** In `manager` when given, else in a transaction of its own. */
  async execute(
    input: CreateWorkspaceInput,
    context: EventContext,
    manager?: EntityManager,
  ): Promise<CreatedWorkspace> {
    const work = async (tx: EntityManager): Promise<CreatedWorkspace> => {
      const workspace = await this.workspaces.create(
        { name: input.name, prefix: input.prefix },
        context,
        tx,
      );
      const { workspaceId } = workspace;
      const member = await this.members.add(
        workspaceId,
        input.ownerEmail,
        'owner',
        context,
        null,
        tx,
      );
      const { key, resource } = await this.issueKey.execute(
        workspaceId,
        {
          name: `owner key for ${input.ownerEmail}`,
          environment: 'live',
          scopes: [...ROLE_SCOPES.owner, ...(input.extraScopes ?? [])],
          expires: 'never',
          ownerId: member.id,
          metadata: {},
        },
        context,
        null,
        tx,
      );
      return { workspace: workspaceResource(workspace), member, key: { key, ...resource } };
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }
}
