import { Injectable } from '@nestjs/common';
import { KEY_EVENT_TYPES, type KeyList, type KeyResource } from '@keyway/contracts';
import { EventStore, type RecordedEvent } from '../event-store/event-store';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { type ListKeysFilter } from './dto/key.dto';
import { KeyError, KeyErrorCode } from './key.errors';
import { keyResource } from './key-resource';
import { KeysRepository } from './keys.repository';

/** Reads of keys, from the read model, always within the caller's workspace. */
@Injectable()
export class KeyQueries {
  constructor(
    private readonly keys: KeysRepository,
    private readonly store: EventStore,
  ) {}

  async list(workspaceId: string, filter: ListKeysFilter): Promise<KeyList> {
    let after: { createdAt: string; id: string } | undefined;
    if (filter.cursor) {
      after = decodeCursor(filter.cursor) ?? undefined;
      if (after === undefined) {
        throw new KeyError(KeyErrorCode.INVALID_CURSOR, 'cursor is not one this API returned', {
          field: 'cursor',
        });
      }
    }
    const rows = await this.keys.list(workspaceId, {
      status: filter.status,
      environment: filter.environment,
      ownerId: filter.ownerId,
      after,
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit).map(keyResource);
    const last = page[page.length - 1];
    return {
      data: page,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  async get(workspaceId: string, keyId: string): Promise<KeyResource> {
    const key = await this.keys.findInWorkspace(workspaceId, keyId);
    if (key === null) throw KeyError.notFound();
    return keyResource(key);
  }

  /** The key's own events in sequence order, also after it was deleted. */
  async events(workspaceId: string, keyId: string): Promise<RecordedEvent[]> {
    const events = await this.store.load(keyId);
    // Only a key's history: the store also holds members' and workspaces' under their own ids.
    const [first] = events;
    if (first?.type !== KEY_EVENT_TYPES.issued || first.workspaceid !== workspaceId) {
      throw KeyError.notFound();
    }
    return events;
  }
}
