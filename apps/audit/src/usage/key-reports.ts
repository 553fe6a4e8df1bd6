import { Injectable } from '@nestjs/common';
import { type KeyReport, type ReportedKey } from '@keyway/contracts';
import { type Caller } from '../auth/caller';
import { Clock } from '../clock';
import { AuditKeysReportsRepository, type ReportedKeyRow } from './audit-keys-reports.repository';
import { type KeyReportFilter } from './dto/usage.dto';
import { decodeCursor, encodeCursor, isInstant } from '../cursor';
import { isKeyId } from './usage-cursor';
import { UsageError } from './usage.errors';

const DAY_MS = 86_400_000;
const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function reported(row: ReportedKeyRow): ReportedKey {
  return {
    keyId: row.key_id,
    name: row.name,
    environment: row.environment,
    ownerId: row.owner_id,
    createdAt: row.created_at.toISOString(),
    lastRotatedAt: iso(row.rotated_at),
    lastUsedAt: iso(row.last_used_at),
    lastSeenAt: iso(row.last_seen_at),
  };
}

/**
 * `GET /v1/reports/inactive-keys` (active keys with no VALID verification for `days`, never-used
 * keys older than that included) and `GET /v1/reports/stale-keys` (active keys neither rotated
 * nor created for `days`).
 */
@Injectable()
export class KeyReports {
  constructor(
    private readonly keys: AuditKeysReportsRepository,
    private readonly clock: Clock,
  ) {}

  async inactive(caller: Caller, query: KeyReportFilter): Promise<KeyReport> {
    let after: string | null = null;
    if (query.cursor !== undefined) {
      const position = decodeCursor<[string]>(query.cursor, [isKeyId]);
      if (position === null) throw UsageError.invalidCursor('cursor');
      after = position[0];
    }
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - query.days * DAY_MS);
    const rows = await this.keys.inactive({
      workspaceId: caller.workspaceId,
      now,
      cutoff,
      after,
      limit: query.limit + 1,
    });
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return {
      days: query.days,
      cutoff: cutoff.toISOString(),
      data: shown.map(reported),
      nextCursor:
        rows.length > query.limit && last !== undefined ? encodeCursor([last.key_id]) : null,
    };
  }

  async stale(caller: Caller, query: KeyReportFilter): Promise<KeyReport> {
    let after: { since: string; keyId: string } | null = null;
    if (query.cursor !== undefined) {
      const position = decodeCursor<[string, string]>(query.cursor, [isInstant, isKeyId]);
      if (position === null) throw UsageError.invalidCursor('cursor');
      after = { since: position[0], keyId: position[1] };
    }
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - query.days * DAY_MS);
    const rows = await this.keys.stale({
      workspaceId: caller.workspaceId,
      now,
      cutoff,
      after,
      limit: query.limit + 1,
    });
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    const since = last === undefined ? null : (last.rotated_at ?? last.created_at);
    return {
      days: query.days,
      cutoff: cutoff.toISOString(),
      data: shown.map(reported),
      nextCursor:
        rows.length > query.limit && last !== undefined && since !== null
          ? encodeCursor([since.toISOString(), last.key_id])
          : null,
    };
  }
}
