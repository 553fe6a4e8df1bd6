import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type ChainHash, GENESIS_HASH } from '@keyway/contracts';

export interface ChainHead {
  workspaceId: string;
  /** Position of the last record; 0 for an empty chain. */
  size: number;
  headHash: ChainHash;
  /** First position still stored (retention prunes before it) and the hash before it. */
  startPosition: number;
  startPrevHash: ChainHash;
}

interface HeadRow {
  workspace_id: string;
  size: string;
  head_hash: string;
  start_position: string;
  start_prev_hash: string;
}

const toHead = (row: HeadRow): ChainHead => ({
  workspaceId: row.workspace_id,
  size: Number(row.size),
  headHash: row.head_hash,
  startPosition: Number(row.start_position),
  startPrevHash: row.start_prev_hash,
});

/** `audit_chain_heads`: the head of each workspace's chain. */
@Injectable()
export class ChainHeadsRepository {
  /**
   * The heads of these workspaces, created empty when new, locked until the transaction ends
   * (always in workspace order, so concurrent appenders cannot deadlock).
   */
  async lockForAppend(manager: EntityManager, workspaceIds: readonly string[]) {
    const sorted = [...new Set(workspaceIds)].sort();
    await manager.query(
      `INSERT INTO audit_chain_heads (workspace_id, size, head_hash, start_prev_hash)
       SELECT id, 0, $2, $2 FROM unnest($1::text[]) AS id
       ON CONFLICT (workspace_id) DO NOTHING`,
      [sorted, GENESIS_HASH],
    );
    const rows: HeadRow[] = await manager.query(
      `SELECT workspace_id, size, head_hash, start_position, start_prev_hash
         FROM audit_chain_heads WHERE workspace_id = ANY($1::text[])
        ORDER BY workspace_id FOR UPDATE`,
      [sorted],
    );
    return new Map(rows.map((row) => [row.workspace_id, toHead(row)]));
  }

  async advance(manager: EntityManager, heads: readonly ChainHead[]): Promise<void> {
    if (heads.length === 0) return;
    await manager.query(
      `UPDATE audit_chain_heads AS h
          SET size = n.size, head_hash = n.head_hash, updated_at = clock_timestamp()
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS n(workspace_id, size, head_hash)
        WHERE h.workspace_id = n.workspace_id`,
      [heads.map((h) => h.workspaceId), heads.map((h) => h.size), heads.map((h) => h.headHash)],
    );
  }

  async find(manager: EntityManager, workspaceId: string): Promise<ChainHead | null> {
    const rows: HeadRow[] = await manager.query(
      `SELECT workspace_id, size, head_hash, start_position, start_prev_hash
         FROM audit_chain_heads WHERE workspace_id = $1`,
      [workspaceId],
    );
    return rows[0] ? toHead(rows[0]) : null;
  }

  /** Every workspace's head, in workspace order, from `after` on (a page of `limit`). */
  async page(manager: EntityManager, after: string | null, limit: number): Promise<ChainHead[]> {
    const rows: HeadRow[] = await manager.query(
      `SELECT workspace_id, size, head_hash, start_position, start_prev_hash
         FROM audit_chain_heads WHERE $1::text IS NULL OR workspace_id > $1
        ORDER BY workspace_id LIMIT $2`,
      [after, limit],
    );
    return rows.map(toHead);
  }

  /** One head, locked until the transaction ends (null when the workspace has no chain). */
  async lockOne(manager: EntityManager, workspaceId: string): Promise<ChainHead | null> {
    const rows: HeadRow[] = await manager.query(
      `SELECT workspace_id, size, head_hash, start_position, start_prev_hash
         FROM audit_chain_heads WHERE workspace_id = $1 FOR UPDATE`,
      [workspaceId],
    );
    return rows[0] ? toHead(rows[0]) : null;
  }

  /** Retention pruned the records before `startPosition`; `startPrevHash` is the last one's hash. */
  async moveStart(manager: EntityManager, head: ChainHead): Promise<void> {
    await manager.query(
      `UPDATE audit_chain_heads SET start_position = $2, start_prev_hash = $3,
              updated_at = clock_timestamp()
        WHERE workspace_id = $1`,
      [head.workspaceId, head.startPosition, head.startPrevHash],
    );
  }
}
