import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  KEY_EVENT_TYPES,
  WORKSPACE_EVENT_TYPES,
  type MemberAddedV1,
  type WorkspaceCreatedV1,
} from '@keyway/contracts';
import { type RecordedEvent } from '../event-store/event-store';
import { evolveKey } from '../keys/key.decide';
import { type KeyState } from '../keys/key.state';

/**
 * Keeps the read models in step with the event store. Runs inside the transaction that appends,
 * so a read model is never behind its own writes; `rebuild` replays the store into empty tables.
 */
@Injectable()
export class ReadModelProjector {
  async apply(manager: EntityManager, event: RecordedEvent): Promise<void> {
    switch (event.type) {
      case WORKSPACE_EVENT_TYPES.workspaceCreated: {
        const data = event.data as WorkspaceCreatedV1['data'];
        await manager.query(
          `INSERT INTO workspaces (id, name, prefix, default_rate_limits, created_at, version)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            data.workspaceId,
            data.name,
            data.prefix,
            JSON.stringify(data.defaultRateLimits),
            event.time,
            event.sequence,
          ],
        );
        return;
      }
      case WORKSPACE_EVENT_TYPES.memberAdded: {
        const data = event.data as MemberAddedV1['data'];
        await manager.query(
          `INSERT INTO members (id, workspace_id, email, role, status, created_at, version)
           VALUES ($1, $2, $3, $4, 'active', $5, $6)`,
          [data.memberId, event.workspaceid, data.email, data.role, event.time, event.sequence],
        );
        return;
      }
      case KEY_EVENT_TYPES.issued: {
        const state = evolveKey(null, event) as KeyState;
        await this.saveKey(manager, state);
        return;
      }
      default:
        return;
    }
  }

  private async saveKey(manager: EntityManager, key: KeyState): Promise<void> {
    await manager.query(
      `INSERT INTO keys (id, workspace_id, key_hash, environment, status, scopes, owner_id, expires_at,
                         created_at, version, resource)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash, status = EXCLUDED.status,
         scopes = EXCLUDED.scopes, owner_id = EXCLUDED.owner_id, expires_at = EXCLUDED.expires_at,
         version = EXCLUDED.version, resource = EXCLUDED.resource`,
      [
        key.keyId,
        key.workspaceId,
        key.keyHash,
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
}
