import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { ROLE_SCOPES } from '../auth/permissions';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { Aggregates, type ExecuteRequest } from '../event-store/aggregates';
import { type EventContext, type RecordedEvent } from '../event-store/event-store';
import { ApiError } from '../http/error-codes';
import { newId } from '../ids';
import { IssueKey, withWindowMs } from '../keys/issue-key';
import { type KeyResource } from '../keys/key-resource';
import { type MemberResource } from '../members/member-resource';
import { MembersService } from '../members/members.service';
import {
  decideWorkspace,
  evolveWorkspace,
  type WorkspaceChanges,
  type WorkspaceCommand,
  type WorkspaceState,
} from './workspace.decide';
import { workspaceResource, type WorkspaceResource } from './workspace-resource';
import { type UpdateWorkspaceDto } from './dto/workspace.dto';

export const DEFAULT_PREFIX = 'kw';
export const DEFAULT_RATE_LIMITS = withWindowMs([{ name: 'default', limit: 100, window: '60s' }]);

export interface CreatedWorkspace {
  workspace: WorkspaceResource;
  member: MemberResource;
  key: KeyResource & { key: string };
}

function workspaceCommand(
  workspaceId: string,
  command: WorkspaceCommand,
  context: EventContext,
): ExecuteRequest<WorkspaceState> {
  return {
    topic: TOPICS.workspaces,
    aggregateType: 'workspace',
    aggregateId: workspaceId,
    workspaceId,
    fold: (events: readonly RecordedEvent[]) =>
      events.reduce<WorkspaceState | null>(evolveWorkspace, null),
    workspaceOf: (workspace) => workspace.workspaceId,
    decide: (state) => decideWorkspace(command, state),
    context,
  };
}

/** Workspaces: creation with their owner and owner key, settings. */
@Injectable()
export class WorkspacesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregates: Aggregates,
    private readonly members: MembersService,
    private readonly issueKey: IssueKey,
    private readonly clock: Clock,
  ) {}

  /**
   * A workspace, its owner member and the owner's key, in one transaction (in `manager` when
   * given). `extraScopes` adds scopes beyond the owner role's (bootstrap adds platform admin).
   */
  async create(
    input: {
      name: string;
      prefix?: string | undefined;
      ownerEmail: string;
      extraScopes?: string[];
    },
    context: EventContext,
    manager?: EntityManager,
  ): Promise<CreatedWorkspace> {
    const work = async (tx: EntityManager): Promise<CreatedWorkspace> => {
      const workspaceId = newId('ws', this.clock.now());
      const { state } = await this.aggregates.execute(
        {
          ...workspaceCommand(
            workspaceId,
            {
              kind: 'create',
              data: {
                workspaceId,
                name: input.name,
                prefix: input.prefix ?? DEFAULT_PREFIX,
                defaultRateLimits: DEFAULT_RATE_LIMITS,
              },
            },
            context,
          ),
          isNew: true,
        },
        tx,
      );
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
      return {
        workspace: workspaceResource(state as WorkspaceState),
        member,
        key: { key, ...resource },
      };
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  async get(workspaceId: string): Promise<WorkspaceResource> {
    const [row] = (await this.dataSource.query('SELECT resource FROM workspaces WHERE id = $1', [
      workspaceId,
    ])) as {
      resource: WorkspaceState;
    }[];
    if (row === undefined) throw new ApiError('NOT_FOUND', 'workspace not found');
    return workspaceResource(row.resource);
  }

  async update(
    principal: Principal,
    body: UpdateWorkspaceDto,
    context: EventContext,
  ): Promise<WorkspaceResource> {
    const changes: WorkspaceChanges = {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.prefix === undefined ? {} : { prefix: body.prefix }),
      ...(body.defaultRateLimits === undefined
        ? {}
        : { defaultRateLimits: withWindowMs(body.defaultRateLimits) }),
    };
    const { state } = await this.aggregates.execute(
      workspaceCommand(principal.workspaceId, { kind: 'update', changes }, context),
    );
    if (state === null) throw new ApiError('NOT_FOUND', 'workspace not found');
    return workspaceResource(state);
  }
}
