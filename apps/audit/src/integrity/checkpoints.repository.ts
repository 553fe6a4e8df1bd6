import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type CheckpointResource } from '@keyway/contracts';

/** A checkpoint as stored: the resource and its event id. */
export interface StoredCheckpoint extends CheckpointResource {
  readonly eventId: string;
}

interface CheckpointRow {
  workspace_id: string;
  sequence: string;
  event_id: string;
  size: string;
  head_hash: string;
  start_position: string;
  start_prev_hash: string;
  key_name: string;
  key_id: string;
  note: string;
  signed_at: Date;
}

const COLUMNS = `workspace_id, sequence, event_id, size, head_hash, start_position, start_prev_hash,
                 key_name, key_id, note, signed_at`;

const toCheckpoint = (row: CheckpointRow): StoredCheckpoint => ({
  workspaceId: row.workspace_id,
  sequence: Number(row.sequence),
  eventId: row.event_id,
  origin: row.note.slice(0, row.note.indexOf('\n')),
  size: Number(row.size),
  headHash: row.head_hash,
  startPosition: Number(row.start_position),
  startPrevHash: row.start_prev_hash,
  signedAt: row.signed_at.toISOString(),
  keyName: row.key_name,
  keyId: row.key_id,
  note: row.note,
});

/** `audit_checkpoints`: every signed checkpoint, and whether Kafka has it yet. */
@Injectable()
export class CheckpointsRepository {
  /** The latest checkpoint of each of these workspaces (absent: none yet). */
  async latestOf(
    manager: EntityManager,
    workspaceIds: readonly string[],
  ): Promise<Map<string, StoredCheckpoint>> {
    const rows: CheckpointRow[] = await manager.query(
      `SELECT c.* FROM unnest($1::text[]) AS w(id)
         CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM audit_checkpoints
                              WHERE workspace_id = w.id ORDER BY sequence DESC LIMIT 1) AS c`,
      [workspaceIds],
    );
    return new Map(rows.map((row) => [row.workspace_id, toCheckpoint(row)]));
  }

  async insert(manager: EntityManager, checkpoints: readonly StoredCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    const column = <K extends keyof StoredCheckpoint>(key: K) => checkpoints.map((c) => c[key]);
    await manager.query(
      `INSERT INTO audit_checkpoints (${COLUMNS})
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::bigint[], $5::text[],
                            $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
                            $11::timestamptz[])`,
      [
        column('workspaceId'),
        column('sequence'),
        column('eventId'),
        column('size'),
        column('headHash'),
        column('startPosition'),
        column('startPrevHash'),
        column('keyName'),
        column('keyId'),
        column('note'),
        column('signedAt'),
      ],
    );
  }

  async latest(manager: EntityManager, workspaceId: string): Promise<StoredCheckpoint | null> {
    const [row]: CheckpointRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM audit_checkpoints WHERE workspace_id = $1
        ORDER BY sequence DESC LIMIT 1`,
      [workspaceId],
    );
    return row ? toCheckpoint(row) : null;
  }

  /** Newest first, before the `before` sequence when given. */
  async page(
    manager: EntityManager,
    workspaceId: string,
    limit: number,
    before: number | null,
  ): Promise<StoredCheckpoint[]> {
    const rows: CheckpointRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM audit_checkpoints
        WHERE workspace_id = $1 AND ($2::bigint IS NULL OR sequence < $2)
        ORDER BY sequence DESC LIMIT $3`,
      [workspaceId, before, limit],
    );
    return rows.map(toCheckpoint);
  }

  /** Unpublished checkpoints, oldest first, locked for the transaction (other replicas skip them). */
  async lockUnpublished(manager: EntityManager, limit: number): Promise<StoredCheckpoint[]> {
    const rows: CheckpointRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM audit_checkpoints WHERE published_at IS NULL
        ORDER BY signed_at, workspace_id, sequence LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map(toCheckpoint);
  }

  async markPublished(
    manager: EntityManager,
    checkpoints: readonly StoredCheckpoint[],
    at: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE audit_checkpoints AS c SET published_at = $3
         FROM unnest($1::text[], $2::bigint[]) AS p(workspace_id, sequence)
        WHERE c.workspace_id = p.workspace_id AND c.sequence = p.sequence`,
      [checkpoints.map((c) => c.workspaceId), checkpoints.map((c) => c.sequence), at],
    );
  }
}
