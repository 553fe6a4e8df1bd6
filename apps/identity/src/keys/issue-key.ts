import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { isManagementScope, type KeyResource, withWindowMs } from '@keyway/contracts';
import { displayParts, generateKey, hashKey } from '@keyway/key-material';
import { AuthError } from '../auth/auth.errors';
import {
  assertCanGrantScopes,
  assertEnvironment,
  assertManagementKeyOwned,
  assertMemberKeysAllowed,
} from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { type EventContext } from '../event-store/event-store';
import { newId } from '../ids';
import { PEPPER } from '../pepper';
import { WorkspaceError } from '../workspaces/workspace.errors';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { type CreateKeyCommand } from './dto/key.dto';
import { expiresAt } from './expiry';
import { KeyAggregate } from './key-aggregate';
import { KeyOwnership } from './key-ownership';
import { KeyPolicy } from './key-policy';
import { KeyError, KeyErrorCode } from './key.errors';
import { keyResource } from './key-resource';

/** Issues a key: the secret is generated here, returned once, and only its HMAC is recorded. */
@Injectable()
export class IssueKey {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregate: KeyAggregate,
    private readonly workspaces: WorkspacesRepository,
    private readonly policy: KeyPolicy,
    private readonly ownership: KeyOwnership,
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
      assertEnvironment(principal, command.environment);
      // A member issues keys for itself only, and a member's management key is its own.
      if (principal.role === 'member') {
        if (ownerId !== null && ownerId !== principal.ownerId) {
          throw AuthError.forbidden({}, 'members issue keys for themselves only');
        }
        ownerId = principal.ownerId;
      } else if (ownerId === null && principal.role !== null && scopes.some(isManagementScope)) {
        ownerId = principal.ownerId;
      }
      assertManagementKeyOwned(principal, { ownerId, scopes });
    }
    const work = async (tx: EntityManager) => {
      const workspace = await this.workspaces.findSettings(workspaceId, tx);
      if (workspace === null) throw WorkspaceError.notFound();
      if (principal !== null) assertMemberKeysAllowed(principal, workspace.memberKeys);
      await this.policy.assertMayOwn(principal, workspaceId, ownerId, tx);
      await this.ownership.assertAllowed(tx, workspaceId, { ownerId, scopes });
      const now = this.clock.now();
      const expiry = expiresAt(command.expires, now);
      if (expiry !== null && expiry.getTime() <= now.getTime()) {
        throw new KeyError(KeyErrorCode.EXPIRY_IN_PAST, 'expires must be in the future', {
          field: 'expires',
        });
      }
      const secret = generateKey(workspace.prefix, command.environment);
      const keyId = newId('key', now);
      const { state } = await this.aggregate.execute(
        {
          workspaceId,
          keyId,
          command: {
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
          isNew: true,
        },
        tx,
      );
      if (state === null) throw new Error('issued key has no state');
      return { key: secret, resource: keyResource(state) };
    };
    if (manager) return work(manager);
    // A key with no owner locks nothing: reading the settings and the one-statement append (event,
    // outbox row and read model, all or nothing by itself) need no transaction around them, which
    // saves BEGIN and COMMIT, two of the issue's round trips. An owner's row is locked to commit.
    return ownerId === null ? work(this.dataSource.manager) : this.dataSource.transaction(work);
  }
}
