import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type UsageWindowRow } from './usage-aggregation';

const iso = (ms: number): string => new Date(ms).toISOString();

/** `usage_windows`: one row per gateway usage event, idempotent by (stream, sequence). */
@Injectable()
export class UsageWindowsRepository {
  /**
   * Inserts the rows (sorted by primary key) that are not there yet, in one statement, and
   * returns the `stream\0sequence` of those it inserted: a redelivered window is not returned.
   */
  async insertNew(manager: EntityManager, rows: readonly UsageWindowRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted: Array<{ stream: string; sequence: string }> = await manager.query(
      `INSERT INTO usage_windows (stream, sequence, workspace_id, key_id, window_start, window_end,
                                  first_seen_at, last_seen_at, counts, client_addresses)
       SELECT stream, sequence, workspace_id, key_id, window_start, window_end, first_seen_at,
              last_seen_at, counts::integer[], client_addresses::inet[]
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                     $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[])
           AS t(stream, sequence, workspace_id, key_id, window_start, window_end, first_seen_at,
                last_seen_at, counts, client_addresses)
       ON CONFLICT (stream, sequence) DO NOTHING
       RETURNING stream, sequence`,
      [
        rows.map((row) => row.stream),
        rows.map((row) => row.sequence),
        rows.map((row) => row.workspaceId),
        rows.map((row) => row.keyId),
        rows.map((row) => iso(row.windowStart)),
        rows.map((row) => iso(row.windowEnd)),
        rows.map((row) => iso(row.firstSeenAt)),
        rows.map((row) => iso(row.lastSeenAt)),
        rows.map((row) => `{${row.counts.join(',')}}`),
        rows.map((row) => `{${row.clientAddresses.join(',')}}`),
      ],
    );
    return new Set(inserted.map((row) => windowId(row.stream, row.sequence)));
  }
}

/** The identity of a window: its stream and sequence. */
export const windowId = (stream: string, sequence: number | string): string =>
  `${stream}\u0000${sequence}`;
