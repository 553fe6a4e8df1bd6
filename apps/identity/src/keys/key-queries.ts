import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { EventStore, type RecordedEvent } from '../event-store/event-store';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { ApiError } from '../http/error-codes';
import { type ListKeysFilter } from './dto/key-actions.request';
import { keyResource, type KeyResource } from './key-resource';
import { type KeyState } from './key.state';

/** Reads of keys, from the read model, always within the caller's workspace. */
@Injectable()
export class KeyQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {}

  async list(
    workspaceId: string,
    filter: ListKeysFilter,
  ): Promise<{ data: KeyResource[]; nextCursor: string | null }> {
    const where = ['workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.environment) add('environment = ?', filter.environment);
    if (filter.ownerId) add('owner_id = ?', filter.ownerId);
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor);
      params.push(cursor.createdAt, cursor.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(filter.limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT resource FROM keys WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as { resource: KeyState }[];
    const page = rows.slice(0, filter.limit).map((row) => keyResource(row.resource));
    const last = page[page.length - 1];
    return {
      data: page,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  async get(workspaceId: string, keyId: string): Promise<KeyResource> {
    const [row] = (await this.dataSource.query(
      `SELECT resource FROM keys WHERE id = $1 AND workspace_id = $2`,
      [keyId, workspaceId],
    )) as { resource: KeyState }[];
    if (row === undefined) throw new ApiError('NOT_FOUND', 'key not found');
    return keyResource(row.resource);
  }

  /** The key's own events in sequence order, also after it was deleted. */
  async events(workspaceId: string, keyId: string): Promise<RecordedEvent[]> {
    const events = await this.store.load(keyId);
    if (events.length === 0 || events[0]?.workspaceid !== workspaceId) {
      throw new ApiError('NOT_FOUND', 'key not found');
    }
    return events;
  }
}
