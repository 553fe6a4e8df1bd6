import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { KEY_EVENT_TYPES, WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { type RecordedEvent } from '../event-store/event-store';
import { evolveKey } from '../keys/key.decide';
import { type KeyState } from '../keys/key.state';
import { evolveMember, type MemberState } from '../members/member.decide';
import { evolveWorkspace, type WorkspaceState } from '../workspaces/workspace.decide';

const KEY_TYPES = new Set<string>(Object.values(KEY_EVENT_TYPES));
const MEMBER_TYPES = new Set<string>([
  WORKSPACE_EVENT_TYPES.memberAdded,
  WORKSPACE_EVENT_TYPES.memberRoleChanged,
  WORKSPACE_EVENT_TYPES.memberRemoved,
]);
const WORKSPACE_TYPES = new Set<string>([
  WORKSPACE_EVENT_TYPES.workspaceCreated,
  WORKSPACE_EVENT_TYPES.workspaceUpdated,
]);

/**
 * Keeps the read models in step with the event store, with the same `evolve` functions the
 * decisions use. Runs inside the transaction that appends, so a read model is never behind its
 * own writes; `ProjectionRebuild` replays the whole store through it into empty tables.
 */
@Injectable()
export class ReadModelProjector {
  async apply(manager: EntityManager, event: RecordedEvent): Promise<void> {
    if (KEY_TYPES.has(event.type)) return this.applyKey(manager, event);
    if (MEMBER_TYPES.has(event.type)) return this.applyMember(manager, event);
    if (WORKSPACE_TYPES.has(event.type)) return this.applyWorkspace(manager, event);
  }

  /** The row's state before this event; an aggregate's first event has none to read. */
  private async current<S>(
    manager: EntityManager,
    table: 'keys' | 'members' | 'workspaces',
    event: RecordedEvent,
  ): Promise<{ resource: S } | undefined> {
    if (event.sequence === 1) return undefined;
    const [row] = (await manager.query(`SELECT resource FROM ${table} WHERE id = $1`, [
      event.subject,
    ])) as {
      resource: S;
    }[];
    return row;
  }

  private async applyKey(manager: EntityManager, event: RecordedEvent): Promise<void> {
    const row = await this.current<KeyState>(manager, 'keys', event);
    const key = evolveKey(row?.resource ?? null, event);
    if (key === null) return;
    if (key.status === 'deleted') {
      await manager.query('DELETE FROM keys WHERE id = $1', [key.keyId]);
      return;
    }
    await manager.query(
      `INSERT INTO keys (id, workspace_id, key_hash, previous_key_hash, previous_key_expires_at, environment,
                         status, scopes, owner_id, expires_at, created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash,
         previous_key_hash = EXCLUDED.previous_key_hash,
         previous_key_expires_at = EXCLUDED.previous_key_expires_at, status = EXCLUDED.status,
         scopes = EXCLUDED.scopes, owner_id = EXCLUDED.owner_id, expires_at = EXCLUDED.expires_at,
         version = EXCLUDED.version, resource = EXCLUDED.resource`,
      [
        key.keyId,
        key.workspaceId,
        key.keyHash,
        key.previousKeyHash,
        key.previousKeyExpiresAt,
        key.environment,
        key.status,
        key.scopes,
        key.ownerId,
        key.expiresAt,
        key.createdAt,
        key.version,
        JSON.stringify(key),
      ],
    );
  }

  private async applyMember(manager: EntityManager, event: RecordedEvent): Promise<void> {
    const row = await this.current<MemberState>(manager, 'members', event);
    const member = evolveMember(row?.resource ?? null, event);
    if (member === null) return;
    await manager.query(
      `INSERT INTO members (id, workspace_id, email, role, status, created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, status = EXCLUDED.status,
         version = EXCLUDED.version, resource = EXCLUDED.resource`,
      [
        member.memberId,
        member.workspaceId,
        member.email,
        member.role,
        member.status,
        member.createdAt,
        member.version,
        JSON.stringify(member),
      ],
    );
  }

  private async applyWorkspace(manager: EntityManager, event: RecordedEvent): Promise<void> {
    const row = await this.current<WorkspaceState>(manager, 'workspaces', event);
    const workspace = evolveWorkspace(row?.resource ?? null, event);
    if (workspace === null) return;
    await manager.query(
      `INSERT INTO workspaces (id, name, prefix, default_rate_limits, created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, prefix = EXCLUDED.prefix,
         default_rate_limits = EXCLUDED.default_rate_limits, version = EXCLUDED.version,
         resource = EXCLUDED.resource`,
      [
        workspace.workspaceId,
        workspace.name,
        workspace.prefix,
        JSON.stringify(workspace.defaultRateLimits),
        workspace.createdAt,
        workspace.version,
        JSON.stringify(workspace),
      ],
    );
  }
}
