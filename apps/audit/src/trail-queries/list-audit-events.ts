import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type AuditEventList, type AuditRecord } from '@keyway/contracts';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { decodeTrailCursor, encodeTrailCursor } from './trail-cursor';
import { type TrailFilter, type TrailOrder } from './trail-filter';
import { TrailQueryError } from './trail-query.errors';

export interface ListAuditEventsCommand extends TrailFilter {
  readonly order: TrailOrder;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** `GET /v1/audit/events`: a page of the caller's trail, filtered, in position order. */
@Injectable()
export class ListAuditEvents {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: AuditEventsRepository,
  ) {}

  async execute(workspaceId: string, command: ListAuditEventsCommand): Promise<AuditEventList> {
    const after =
      command.cursor === undefined ? null : decodeTrailCursor(command.cursor, command.order);
    if (after === null && command.cursor !== undefined) throw TrailQueryError.invalidCursor();
    const manager = this.dataSource.manager;
    const rows = await this.events.findPage(manager, workspaceId, command, {
      order: command.order,
      after,
      limit: command.limit + 1,
    });
    // A page with records proves the key is the caller's; only an empty one needs the check.
    if (
      rows.length === 0 &&
      command.keyId !== undefined &&
      !(await this.events.mentionsKey(manager, workspaceId, command.keyId))
    ) {
      throw TrailQueryError.keyNotFound(command.keyId);
    }
    const page = rows.slice(0, command.limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => JSON.parse(row.record) as AuditRecord),
      nextCursor:
        rows.length > command.limit && last !== undefined
          ? encodeTrailCursor(last.position, command.order)
          : null,
    };
  }
}
