import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type AuditRecord } from '@keyway/contracts';
import { canonicalJson } from '@keyway/audit-chain';
import {
  keyMentionedQuery,
  type TrailFilter,
  type TrailPage,
  trailPageQuery,
} from '../trail-queries/trail-filter';

/** `audit_events`: the records of every workspace's chain, as canonical JSON text. */
@Injectable()
export class AuditEventsRepository {
  /** Which of these (subject, sequence) pairs are already recorded. */
  async recordedOf(
    manager: EntityManager,
    ids: ReadonlyArray<{ subject: string; sequence: number }>,
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ subject: string; sequence: number }> = await manager.query(
      `SELECT e.subject, e.sequence FROM audit_events e
         JOIN unnest($1::text[], $2::int[]) AS i(subject, sequence)
           ON e.subject = i.subject AND e.sequence = i.sequence`,
      [ids.map((id) => id.subject), ids.map((id) => id.sequence)],
    );
    return new Set(rows.map((row) => `${row.subject}\n${row.sequence}`));
  }

  /** The `hash` stored in the record at a position of each workspace's chain, where there is one. */
  async storedHashesAt(
    manager: EntityManager,
    at: ReadonlyArray<{ workspaceId: string; position: number }>,
  ): Promise<Map<string, string>> {
    if (at.length === 0) return new Map();
    // Parsed here, not cast in SQL: one unreadable record must not fail every workspace's round.
    const rows: Array<{ workspace_id: string; record: string }> = await manager.query(
      `SELECT e.workspace_id, e.record FROM audit_events e
         JOIN unnest($1::text[], $2::bigint[]) AS a(workspace_id, position)
           ON e.workspace_id = a.workspace_id AND e.position = a.position`,
      [at.map((a) => a.workspaceId), at.map((a) => a.position)],
    );
    return new Map(
      rows.flatMap((row) => {
        const hash = storedHash(row.record);
        return hash === null ? [] : [[row.workspace_id, hash] as const];
      }),
    );
  }

  async insert(manager: EntityManager, records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One JSON parameter rather than one array per column: pg escapes array elements character
    // by character in JavaScript, which cost more than the rest of a batch's insert.
    await manager.query(
      `INSERT INTO audit_events (workspace_id, position, event_id, subject, sequence, type, actor,
                                 key_id, occurred_at, recorded_at, record)
       SELECT workspace_id, position, event_id, subject, sequence, type, actor, key_id,
              occurred_at, recorded_at, record
         FROM json_to_recordset($1::json) AS r(workspace_id text, position bigint, event_id text,
              subject text, sequence int, type text, actor text, key_id text,
              occurred_at timestamptz, recorded_at timestamptz, record text)`,
      [
        JSON.stringify(
          records.map((r) => ({
            workspace_id: r.workspaceId,
            position: r.position,
            event_id: r.id,
            subject: r.subject,
            sequence: r.sequence,
            type: r.type,
            actor: r.actor,
            key_id: r.keyId,
            occurred_at: r.time,
            recorded_at: r.recordedAt,
            record: canonicalJson(r),
          })),
        ),
      ],
    );
  }

  /** One page of a workspace's records in position order: their canonical text. */
  async findPage(
    manager: EntityManager,
    workspaceId: string,
    filter: TrailFilter,
    page: TrailPage,
  ): Promise<Array<{ position: number; record: string }>> {
    const query = trailPageQuery(workspaceId, filter, page);
    const rows: Array<{ position: string; record: string }> = await manager.query(
      query.text,
      query.values,
    );
    return rows.map((row) => ({ position: Number(row.position), record: row.record }));
  }

  /** Whether any record of the workspace is about the key. */
  async mentionsKey(manager: EntityManager, workspaceId: string, keyId: string): Promise<boolean> {
    const query = keyMentionedQuery(workspaceId, keyId);
    const rows: Array<{ found: boolean }> = await manager.query(query.text, query.values);
    return rows[0]?.found === true;
  }
}

function storedHash(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    const hash =
      typeof value === 'object' && value !== null ? (value as { hash?: unknown }).hash : null;
    return typeof hash === 'string' ? hash : null;
  } catch {
    return null;
  }
}
