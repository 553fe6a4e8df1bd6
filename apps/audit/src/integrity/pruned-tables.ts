/**
 * Tables pruned by retention besides the trail itself (which moves its chain's start): rows of a
 * workspace whose `timeColumn` is older than the workspace's retention are deleted, in batches.
 * A new table is one more entry; it needs a `workspace_id` column (null: default retention).
 */
export interface PrunedTable {
  readonly table: string;
  readonly timeColumn: string;
  /** SQL over the row (alias `t`) for rows that stay however old they are. */
  readonly keep?: string;
}

export const PRUNED_TABLES: readonly PrunedTable[] = [
  { table: 'usage_windows', timeColumn: 'window_end' },
  { table: 'usage_rollups', timeColumn: 'bucket_start' },
  { table: 'key_addresses', timeColumn: 'last_seen_at' },
  // An open alert stays, however old its start: it is still going on.
  { table: 'alerts', timeColumn: 'last_seen_at', keep: `t.status = 'open'` },
  {
    // Each workspace's latest checkpoint stays (verification starts from it), and so does what
    // Kafka does not have yet.
    table: 'audit_checkpoints',
    timeColumn: 'signed_at',
    keep: `t.published_at IS NULL OR t.sequence = (SELECT max(l.sequence) FROM audit_checkpoints l
                                                   WHERE l.workspace_id = t.workspace_id)`,
  },
];
