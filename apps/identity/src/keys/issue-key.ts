import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { rateLimitWindowMs, type RateLimit } from '@keyway/contracts';
import { displayParts, generateKey, hashKey } from '@keyway/key-material';
import { assertCanGrantScopes, assertManagementKeyOwned } from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { Aggregates } from '../event-store/aggregates';
import { type EventContext } from '../event-store/event-store';
import { ApiError } from '../http/error-codes';
import { newId } from '../ids';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { type CreateKeyCommand } from './dto/create-key.request';
import { expiresAt } from './expiry';
import { keyCommand } from './key-aggregate';
import { keyResource, type KeyResource } from './key-resource';
import { PEPPER } from './pepper';

export const withWindowMs = (limits: readonly Omit<RateLimit, 'windowMs'>[]): RateLimit[] =>
  limits.map(({ name, limit, window }) => ({
    name,
    limit,
    window,
    windowMs: rateLimitWindowMs(window) as number,
  }));

/** Issues a key: the secret is generated here, returned once, and only its HMAC is recorded. */
@Injectable()
export class IssueKey {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregates: Aggregates,
    private readonly workspaces: WorkspaceDirectory,
    private readonly clock: Clock,
    @Inject(PEPPER) private readonly pepper: string,
  ) {}

  /** `principal` is null only for the system (bootstrap, workspace creation). */
  async execute(
    workspaceId: string,
    command: CreateKeyCommand,
    context: EventContext,
    principal: Principal | null,
    manager?: EntityManager,
  ): Promise<{ key: string; resource: KeyResource }> {
    let ownerId = command.ownerId ?? null;
    const scopes = [...new Set(command.scopes)];
    if (principal !== null) {
      assertCanGrantScopes(principal, scopes);
      // A member issues keys for itself only.
      if (principal.role === 'member') {
        if (ownerId !== null && ownerId !== principal.ownerId) {
          throw new ApiError('FORBIDDEN', 'members issue keys for themselves only');
        }
        ownerId = principal.ownerId;
      }
      assertManagementKeyOwned(principal, { ownerId, scopes });
    }
    const work = async (tx: EntityManager) => {
      const workspace = await this.workspaces.get(workspaceId, tx);
      if (
        ownerId?.startsWith('mem_') &&
        !(await this.workspaces.isActiveMember(workspaceId, ownerId, tx))
      ) {
        throw new ApiError('VALIDATION_ERROR', 'ownerId is not a member of this workspace', {
          field: 'ownerId',
        });
      }
      const now = this.clock.now();
      const expiry = expiresAt(command.expires, now);
      if (expiry !== null && expiry.getTime() <= now.getTime()) {
        throw new ApiError('VALIDATION_ERROR', 'expires must be in the future', {
          field: 'expires',
        });
      }
      const secret = generateKey(workspace.prefix, command.environment);
      const keyId = newId('key', now);
      const { state } = await this.aggregates.execute(
        {
          ...keyCommand(
            workspaceId,
            keyId,
            {
              kind: 'issue',
              data: {
                keyId,
                workspaceId,
                name: command.name,
                environment: command.environment,
                keyHash: hashKey(this.pepper, secret),
                ...displayParts(secret),
                scopes,
                rateLimits: command.rateLimits
                  ? withWindowMs(command.rateLimits)
                  : workspace.defaultRateLimits,
                credits: command.credits ?? null,
                allowedCidrs: command.allowedCidrs ?? null,
                expiresAt: expiry?.toISOString() ?? null,
                ownerId,
                metadata: command.metadata,
                createdBy: context.actor,
              },
            },
            context,
          ),
          isNew: true,
        },
        tx,
      );
      if (state === null) throw new Error('issued key has no state');
      return { key: secret, resource: keyResource(state) };
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }
}
