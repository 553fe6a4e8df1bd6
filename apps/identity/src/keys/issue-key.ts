import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { TOPICS, rateLimitWindowMs, type RateLimit } from '@keyway/contracts';
import { displayParts, generateKey, hashKey } from '@keyway/key-material';
import { Clock } from '../clock';
import { Changes } from '../event-store/changes';
import { type EventContext } from '../event-store/event-store';
import { ApiError } from '../http/error-codes';
import { newId } from '../ids';
import { type CreateKeyCommand } from './dto/create-key.request';
import { expiresAt } from './expiry';
import { decideKey, evolveKey } from './key.decide';
import { keyResource, type KeyResource } from './key-resource';
import { PEPPER } from './pepper';

interface WorkspaceRow {
  prefix: string;
  default_rate_limits: RateLimit[];
}

/** Issues a key: the secret is generated here, returned once, and only its HMAC is recorded. */
@Injectable()
export class IssueKey {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly changes: Changes,
    private readonly clock: Clock,
    @Inject(PEPPER) private readonly pepper: string,
  ) {}

  async execute(
    workspaceId: string,
    command: CreateKeyCommand,
    context: EventContext,
    manager?: EntityManager,
  ): Promise<{ key: string; resource: KeyResource }> {
    const work = async (tx: EntityManager) => {
      const now = this.clock.now();
      const [workspace] = (await tx.query(
        'SELECT prefix, default_rate_limits FROM workspaces WHERE id = $1',
        [workspaceId],
      )) as WorkspaceRow[];
      if (workspace === undefined) throw new ApiError('NOT_FOUND', 'workspace not found');
      const expiry = expiresAt(command.expires, now);
      if (expiry !== null && expiry.getTime() <= now.getTime()) {
        throw new ApiError('VALIDATION_ERROR', 'expires must be in the future', {
          field: 'expires',
        });
      }
      const secret = generateKey(workspace.prefix, command.environment);
      const keyId = newId('key', now);
      const events = decideKey(
        {
          kind: 'issue',
          data: {
            keyId,
            workspaceId,
            name: command.name,
            environment: command.environment,
            keyHash: hashKey(this.pepper, secret),
            ...displayParts(secret),
            scopes: [...new Set(command.scopes)],
            rateLimits: (command.rateLimits ?? workspace.default_rate_limits).map((limit) => ({
              name: limit.name,
              limit: limit.limit,
              window: limit.window,
              windowMs: rateLimitWindowMs(limit.window) as number,
            })),
            credits: command.credits ?? null,
            allowedCidrs: command.allowedCidrs ?? null,
            expiresAt: expiry?.toISOString() ?? null,
            ownerId: command.ownerId ?? null,
            metadata: command.metadata,
            createdBy: context.actor,
          },
        },
        null,
        now,
      );
      const recorded = await this.changes.record(tx, {
        topic: TOPICS.keys,
        aggregateType: 'key',
        aggregateId: keyId,
        workspaceId,
        expectedVersion: 0,
        events,
        context,
      });
      const state = recorded.reduce(evolveKey, null);
      if (state === null) throw new Error('issued key has no state');
      return { key: secret, resource: keyResource(state) };
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }
}
