import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

export interface StoredRetention {
  readonly days: number;
  readonly updatedAt: string;
}

/** `audit_retention`: the retention each workspace set (none: the deployment default). */
@Injectable()
export class RetentionRepository {
  async find(manager: EntityManager, workspaceId: string): Promise<StoredRetention | null> {
    const [row]: Array<{ days: number; updated_at: Date }> = await manager.query(
      `SELECT days, updated_at FROM audit_retention WHERE workspace_id = $1`,
      [workspaceId],
    );
    return row ? { days: row.days, updatedAt: row.updated_at.toISOString() } : null;
  }

  /** Sets the retention; returns the change's number (1, 2, 3… per workspace). */
  async set(manager: EntityManager, workspaceId: string, days: number, at: Date): Promise<number> {
    const [row]: Array<{ sequence: number }> = await manager.query(
      `INSERT INTO audit_retention (workspace_id, days, sequence, updated_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (workspace_id) DO UPDATE
         SET days = EXCLUDED.days, sequence = audit_retention.sequence + 1,
             updated_at = EXCLUDED.updated_at
       RETURNING sequence`,
      [workspaceId, days, at],
    );
    if (!row) throw new Error('retention upsert returned nothing');
    return row.sequence;
  }

  /** Every retention set, by workspace. */
  async all(manager: EntityManager): Promise<Map<string, number>> {
    const rows: Array<{ workspace_id: string; days: number }> = await manager.query(
      `SELECT workspace_id, days FROM audit_retention`,
    );
    return new Map(rows.map((row) => [row.workspace_id, row.days]));
  }
}
