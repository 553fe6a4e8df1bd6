import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import {
  TOPICS,
  WORKSPACE_EVENT_TYPES,
  type MemberAddedV1,
  type WorkspaceCreatedV1,
} from '@keyway/contracts';
import { ROLE_SCOPES } from '../auth/permissions';
import { Clock } from '../clock';
import { Changes } from '../event-store/changes';
import { ApiError } from '../http/error-codes';
import { newId } from '../ids';
import { IssueKey } from '../keys/issue-key';

/** Serialises bootstraps so that two at once cannot both find the platform empty. */
const BOOTSTRAP_LOCK_ID = 0x626f6f74; // "boot"

export const DEFAULT_PREFIX = 'kw';
export const DEFAULT_RATE_LIMITS = [
  { name: 'default', limit: 100, window: '60s', windowMs: 60_000 },
];

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
    private readonly changes: Changes,
    private readonly issueKey: IssueKey,
    private readonly clock: Clock,
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
      const now = this.clock.now();
      const workspaceId = newId('ws', now);
      const memberId = newId('mem', now);
      const context = { actor: 'system' };
      const workspace: WorkspaceCreatedV1['data'] = {
        workspaceId,
        name: input.workspace,
        prefix: DEFAULT_PREFIX,
        defaultRateLimits: DEFAULT_RATE_LIMITS,
      };
      await this.changes.record(tx, {
        topic: TOPICS.workspaces,
        aggregateType: 'workspace',
        aggregateId: workspaceId,
        workspaceId,
        expectedVersion: 0,
        events: [{ type: WORKSPACE_EVENT_TYPES.workspaceCreated, data: workspace }],
        context,
      });
      const member: MemberAddedV1['data'] = { memberId, email: input.ownerEmail, role: 'owner' };
      await this.changes.record(tx, {
        topic: TOPICS.workspaces,
        aggregateType: 'member',
        aggregateId: memberId,
        workspaceId,
        partitionKey: workspaceId, // the workspaces topic is keyed by workspace
        expectedVersion: 0,
        events: [{ type: WORKSPACE_EVENT_TYPES.memberAdded, data: member }],
        context,
      });
      const { key } = await this.issueKey.execute(
        workspaceId,
        {
          name: 'bootstrap owner key',
          environment: 'live',
          scopes: [...ROLE_SCOPES.owner, 'keyway:platform:admin'],
          expires: 'never',
          ownerId: memberId,
          metadata: {},
        },
        context,
        tx,
      );
      return { workspaceId, memberId, key };
    });
  }
}
