import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** A key as audit's reports see it. */
export interface AuditKeyRow {
  readonly keyId: string;
  readonly workspaceId: string;
  readonly name: string | null;
  readonly environment: string | null;
  readonly ownerId: string | null;
  /** `active`, `revoked`, `expired` or `deleted`. */
  readonly status: string;
  readonly createdAt: string;
  readonly rotatedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly deletedAt: string | null;
  /** Time of the key's last event. */
  readonly updatedAt: string;
  readonly sequence: number;
}

/** `audit_keys`: every key audit has seen, kept current by the trail ingest. */
@Injectable()
export class AuditKeysRepository {
  /** Upserts in one statement; a row never goes back to an older sequence. */
  async saveMany(manager: EntityManager, keys: readonly AuditKeyRow[]): Promise<void> {
    if (keys.length === 0) return;
    await manager.query(
      `INSERT INTO audit_keys (key_id, workspace_id, name, environment, owner_id, status,
                               created_at, rotated_at, expires_at, revoked_at, deleted_at,
                               updated_at, sequence)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                            $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],
                            $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::int[])
       ON CONFLICT (key_id) DO UPDATE
         SET workspace_id = EXCLUDED.workspace_id, name = EXCLUDED.name,
             environment = EXCLUDED.environment, owner_id = EXCLUDED.owner_id,
             status = EXCLUDED.status,
             created_at = LEAST(audit_keys.created_at, EXCLUDED.created_at),
             rotated_at = EXCLUDED.rotated_at, expires_at = EXCLUDED.expires_at,
             revoked_at = EXCLUDED.revoked_at, deleted_at = EXCLUDED.deleted_at,
             updated_at = EXCLUDED.updated_at, sequence = EXCLUDED.sequence
       WHERE audit_keys.sequence < EXCLUDED.sequence`,
      [
        keys.map((k) => k.keyId),
        keys.map((k) => k.workspaceId),
        keys.map((k) => k.name),
        keys.map((k) => k.environment),
        keys.map((k) => k.ownerId),
        keys.map((k) => k.status),
        keys.map((k) => k.createdAt),
        keys.map((k) => k.rotatedAt),
        keys.map((k) => k.expiresAt),
        keys.map((k) => k.revokedAt),
        keys.map((k) => k.deletedAt),
        keys.map((k) => k.updatedAt),
        keys.map((k) => k.sequence),
      ],
    );
  }
}
