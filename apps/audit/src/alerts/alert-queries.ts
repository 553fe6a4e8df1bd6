import { Injectable } from '@nestjs/common';
import { type AlertList, type AlertResource, type SuppressionList } from '@keyway/contracts';
import { alertResource } from './alert';
import { AlertError } from './alert.errors';
import { AlertsRepository } from './alerts.repository';
import { decodeCursor, encodeCursor } from './cursor';
import { type ListAlertsFilter, type ListSuppressionsFilter } from './dto';
import { suppressionResource } from './suppression-resource';
import { SuppressionsRepository } from './suppressions.repository';

/** Reads of alerts and suppressions, always within the caller's workspace. */
@Injectable()
export class AlertQueries {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  async list(workspaceId: string, filter: ListAlertsFilter): Promise<AlertList> {
    const rows = await this.alerts.list(workspaceId, {
      status: filter.status,
      kind: filter.kind,
      keyId: filter.keyId,
      from: filter.from,
      to: filter.to,
      after: afterCursor(filter.cursor),
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(alertResource),
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.raisedAt, last.id) : null,
    };
  }

  async get(workspaceId: string, id: string): Promise<AlertResource> {
    const alert = await this.alerts.findInWorkspace(workspaceId, id);
    if (alert === null) throw AlertError.alertNotFound();
    return alertResource(alert);
  }

  async suppressionsOf(
    workspaceId: string,
    filter: ListSuppressionsFilter,
  ): Promise<SuppressionList> {
    const after = afterCursor(filter.cursor);
    const rows = await this.suppressions.listLive(workspaceId, {
      keyId: filter.keyId,
      ...(after === undefined ? {} : { after }),
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(suppressionResource),
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}

function afterCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const after = decodeCursor(cursor);
  if (after === null) throw AlertError.invalidCursor();
  return after;
}
