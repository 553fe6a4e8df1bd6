import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

export interface UnseenAddress {
  address: string;
  network: string;
}

/**
 * What usage ingest recorded of a key (`key_activity`, `key_addresses`, `usage_rollups`,
 * `usage_windows`), read for the detectors. Read only: usage ingest owns these tables.
 */
@Injectable()
export class KeyHistoryReader {
  /**
   * Of `addresses` (new for the key), those whose network (IPv4 /`v4`, IPv6 /`v6`) the key was
   * never seen from before — if the key was first seen at or before `historySince`; none for a
   * younger key. The addresses themselves do not count as history (ingest may have recorded them).
   */
  async unseenNetworks(
    manager: EntityManager,
    keyId: string,
    addresses: readonly string[],
    historySince: Date,
    prefixes: { v4: number; v6: number },
  ): Promise<UnseenAddress[]> {
    if (addresses.length === 0) return [];
    return manager.query(
      `WITH candidate AS (
         SELECT n.address, network(set_masklen(n.address,
                  CASE family(n.address) WHEN 4 THEN $4::int ELSE $5::int END)) AS network
           FROM unnest($2::inet[]) AS n(address)
       )
       SELECT host(c.address) AS address, c.network::text AS network FROM candidate c
        WHERE EXISTS (SELECT 1 FROM key_activity a WHERE a.key_id = $1 AND a.first_seen_at <= $3)
          AND NOT EXISTS (SELECT 1 FROM key_addresses k
                           WHERE k.key_id = $1 AND k.address <<= c.network
                             AND NOT (k.address = ANY($2::inet[])))
        ORDER BY c.network, c.address`,
      [keyId, addresses, historySince, prefixes.v4, prefixes.v6],
    );
  }

  /**
   * Minute rollups of every key from `from` (exclusive) to `through` (inclusive) with at least
   * `floor` denials, each with its key's denials over the `baselineMinutes` before it, how many
   * of those minutes the key existed (`key_activity.first_seen_at`; 0 when unknown) and the
   * client addresses of its usage windows, in time order.
   */
  async denialMinutes(
    manager: EntityManager,
    from: Date,
    through: Date,
    floor: number,
    baselineMinutes: number,
  ): Promise<DenialMinuteRow[]> {
    const denials = `(revoked + expired + wrong_environment + forbidden_address +
      insufficient_scope + usage_exceeded + rate_limited)`;
    return manager.query(
      `SELECT r.workspace_id, r.key_id, r.bucket_start,
              r.revoked, r.expired, r.wrong_environment, r.forbidden_address,
              r.insufficient_scope, r.usage_exceeded, r.rate_limited,
              ${denials}::bigint AS denials,
              COALESCE((SELECT sum(${denials}) FROM usage_rollups b
                         WHERE b.key_id = r.key_id AND b.granularity = 'minute'
                           AND b.bucket_start >= r.bucket_start - make_interval(mins => $4)
                           AND b.bucket_start < r.bucket_start), 0)::bigint AS baseline,
              COALESCE((SELECT LEAST($4, GREATEST(0, floor(extract(epoch FROM
                                 r.bucket_start - date_trunc('minute', a.first_seen_at)) / 60)))
                          FROM key_activity a WHERE a.key_id = r.key_id), 0)::int AS history_minutes,
              ARRAY(SELECT DISTINCT host(a.address) FROM usage_windows w,
                           unnest(w.client_addresses) AS a(address)
                     WHERE w.key_id = r.key_id AND w.window_start >= r.bucket_start
                       AND w.window_start < r.bucket_start + interval '1 minute'
                     ORDER BY 1 LIMIT 20) AS client_addresses
         FROM usage_rollups r
        WHERE r.granularity = 'minute' AND r.bucket_start > $1 AND r.bucket_start <= $2
          AND ${denials} >= $3
        ORDER BY r.bucket_start, r.key_id`,
      [from, through, floor, baselineMinutes],
    );
  }
}

export interface DenialMinuteRow {
  workspace_id: string;
  key_id: string;
  bucket_start: Date;
  revoked: string;
  expired: string;
  wrong_environment: string;
  forbidden_address: string;
  insufficient_scope: string;
  usage_exceeded: string;
  rate_limited: string;
  denials: string;
  baseline: string;
  history_minutes: number;
  client_addresses: string[];
}
