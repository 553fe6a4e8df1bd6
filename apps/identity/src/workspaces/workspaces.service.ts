import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type WorkspaceResource, withWindowMs } from '@keyway/contracts';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { type EventContext } from '../event-store/event-store';
import { newId } from '../ids';
import { type UpdateWorkspaceCommand } from './dto/workspace.dto';
import { WorkspaceAggregate } from './workspace-aggregate';
import { type WorkspaceChanges, type WorkspaceState } from './workspace.decide';
import { WorkspaceError } from './workspace.errors';
import { workspaceResource } from './workspace-resource';
import { WorkspacesRepository } from './workspaces.repository';

export const DEFAULT_PREFIX = 'kw';
export const DEFAULT_RATE_LIMITS = withWindowMs([{ name: 'default', limit: 100, window: '60s' }]);

/** A workspace on its own: creation (its owner comes from `tenancy/`), settings, reads. */
@Injectable()
export class WorkspacesService {
  constructor(
    private readonly aggregate: WorkspaceAggregate,
    private readonly workspaces: WorkspacesRepository,
    private readonly clock: Clock,
  ) {}

  /** A new workspace with the default prefix and rate limits unless given, in `tx`. */
  async create(
    input: { name: string; prefix?: string | undefined },
    context: EventContext,
    tx: EntityManager,
  ): Promise<WorkspaceState> {
    const workspaceId = newId('ws', this.clock.now());
    const { state } = await this.aggregate.execute(
      {
        workspaceId,
        command: {
          kind: 'create',
          data: {
            workspaceId,
            name: input.name,
            prefix: input.prefix ?? DEFAULT_PREFIX,
            defaultRateLimits: DEFAULT_RATE_LIMITS,
          },
        },
        context,
        isNew: true,
      },
      tx,
    );
    if (state === null) throw new Error('created workspace has no state');
    return state;
  }

  async get(workspaceId: string): Promise<WorkspaceResource> {
    const workspace = await this.workspaces.findById(workspaceId);
    if (workspace === null) throw WorkspaceError.notFound();
    return workspaceResource(workspace);
  }

  async update(
    principal: Principal,
    body: UpdateWorkspaceCommand,
    context: EventContext,
  ): Promise<WorkspaceResource> {
    const changes: WorkspaceChanges = {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.prefix === undefined ? {} : { prefix: body.prefix }),
      ...(body.defaultRateLimits === undefined
        ? {}
        : { defaultRateLimits: withWindowMs(body.defaultRateLimits) }),
      ...(body.memberKeys === undefined ? {} : { memberKeys: body.memberKeys }),
    };
    const { state } = await this.aggregate.execute({
      workspaceId: principal.workspaceId,
      command: { kind: 'update', changes },
      context,
    });
    if (state === null) throw WorkspaceError.notFound();
    return workspaceResource(state);
  }
}
