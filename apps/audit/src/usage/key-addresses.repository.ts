import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type AddressAddition, canonicalAddress } from './usage-aggregation';

/** One address of a key as read. */
export interface KeyAddressRow {
  readonly address: string;
  readonly first_seen_at: Date;
  readonly last_seen_at: Date;
  readonly windows: string;
}

/** Where a page of a key's addresses (most recently seen first) continues. */
export interface AddressPosition {
  readonly lastSeenAt: string;
  readonly address: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** `key_addresses`: per key and client address, first and last seen, windows seen in. */
@Injectable()
export class KeyAddressesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Folds the additions (sorted by key and address) in, in one statement, and returns the
   * `keyId\0address` (canonical text) of the addresses that were new for their key. A row locked
   * by a concurrent transaction is waited for, so exactly one transaction sees an address as new.
   */
  async add(manager: EntityManager, additions: readonly AddressAddition[]): Promise<Set<string>> {
    if (additions.length === 0) return new Set();
    const fresh: Array<{ key_id: string; address: string }> = await manager.query(
      `WITH upserted AS (
         INSERT INTO key_addresses (key_id, address, workspace_id, first_seen_at, last_seen_at,
                                    windows)
         SELECT key_id, address::inet, workspace_id, first_seen_at, last_seen_at, windows
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                       $6::bigint[])
             AS t(key_id, address, workspace_id, first_seen_at, last_seen_at, windows)
         ON CONFLICT (key_id, address) DO UPDATE SET
           first_seen_at = LEAST(key_addresses.first_seen_at, EXCLUDED.first_seen_at),
           last_seen_at = GREATEST(key_addresses.last_seen_at, EXCLUDED.last_seen_at),
           windows = key_addresses.windows + EXCLUDED.windows
         RETURNING key_id, host(address) AS address, xmax = 0 AS inserted)
       SELECT key_id, address FROM upserted WHERE inserted`,
      [
        additions.map((row) => row.keyId),
        additions.map((row) => row.address),
        additions.map((row) => row.workspaceId),
        additions.map((row) => iso(row.firstSeenAt)),
        additions.map((row) => iso(row.lastSeenAt)),
        additions.map((row) => row.windows),
      ],
    );
    return new Set(fresh.map((row) => `${row.key_id}\u0000${canonicalAddress(row.address)}`));
  }

  /** A page of the key's addresses, most recently seen first, after `after`. */
  async pageOfKey(
    workspaceId: string,
    keyId: string,
    after: AddressPosition | null,
    limit: number,
  ): Promise<KeyAddressRow[]> {
    return this.dataSource.query(
      `SELECT host(address) AS address, first_seen_at, last_seen_at, windows
         FROM key_addresses
        WHERE key_id = $1 AND workspace_id = $2
          AND ($3::timestamptz IS NULL OR (last_seen_at, address) < ($3, $4::inet))
        ORDER BY last_seen_at DESC, address DESC
        LIMIT $5`,
      [keyId, workspaceId, after?.lastSeenAt ?? null, after?.address ?? null, limit],
    );
  }

  async countOfKey(workspaceId: string, keyId: string): Promise<number> {
    const [row]: Array<{ count: string }> = await this.dataSource.query(
      `SELECT count(*) AS count FROM key_addresses WHERE key_id = $1 AND workspace_id = $2`,
      [keyId, workspaceId],
    );
    return Number(row?.count ?? 0);
  }
}
