import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** `counts` columns of the usage tables, one per verification outcome (VERIFICATION_CODES order). */
export const OUTCOME_COLUMNS = [
  'valid',
  'malformed',
  'not_found',
  'revoked',
  'expired',
  'wrong_environment',
  'forbidden_address',
  'insufficient_scope',
  'usage_exceeded',
  'rate_limited',
] as const;

const outcomeColumns = OUTCOME_COLUMNS.map((name) => `${name} bigint NOT NULL DEFAULT 0`).join(
  ',\n        ',
);

/**
 * The hash-chained trail and what audit derives from the streams.
 *
 * The unchained trail of 0.1 is dropped with the consumer progress: audit reads the key and
 * workspace topics again from their start (both keep every event) and rebuilds the chain.
 */
export class ChainedTrail1732320000200 implements MigrationInterface {
  name = 'ChainedTrail1732320000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    // One row per record of a workspace's chain. `record` is the record's canonical JSON text,
    // exactly what is hashed and exported; the other columns are copies for queries.
    await q.query(`
      CREATE TABLE audit_events (
        workspace_id text NOT NULL,
        position     bigint NOT NULL,
        event_id     text NOT NULL,
        subject      text NOT NULL,
        sequence     integer NOT NULL,
        type         text NOT NULL,
        actor        text NOT NULL,
        key_id       text,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL,
        record       text NOT NULL,
        PRIMARY KEY (workspace_id, position),
        CONSTRAINT audit_events_subject_sequence UNIQUE (subject, sequence)
      )`);
    await q.query(
      `CREATE INDEX audit_events_key ON audit_events (workspace_id, key_id, position) WHERE key_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX audit_events_actor ON audit_events (workspace_id, actor, position)`,
    );
    await q.query(`CREATE INDEX audit_events_type ON audit_events (workspace_id, type, position)`);
    await q.query(
      `CREATE INDEX audit_events_time ON audit_events (workspace_id, occurred_at, position)`,
    );
    // The head of each workspace's chain, locked by every append. `start_*` is where the chain
    // begins after retention pruned its oldest records (position 1 and the genesis hash before).
    await q.query(`
      CREATE TABLE audit_chain_heads (
        workspace_id    text PRIMARY KEY,
        size            bigint NOT NULL,
        head_hash       text NOT NULL,
        start_position  bigint NOT NULL DEFAULT 1,
        start_prev_hash text NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // How far each consumer group has applied each partition, written in the same transaction
    // as what it applied: a restart resumes exactly there.
    await q.query(`
      CREATE TABLE audit_consumer_progress (
        group_id    text NOT NULL,
        topic       text NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      )`);
    // The latest state of every aggregate (key, workspace, member, identity), from which each
    // record's before/after is computed.
    await q.query(`
      CREATE TABLE audit_subject_states (
        subject      text PRIMARY KEY,
        workspace_id text NOT NULL,
        sequence     integer NOT NULL,
        state        jsonb NOT NULL
      )`);
    // Keys as audit knows them, for reports (inactive, not rotated) and workspace scoping.
    await q.query(`
      CREATE TABLE audit_keys (
        key_id       text PRIMARY KEY,
        workspace_id text NOT NULL,
        name         text,
        environment  text,
        owner_id     text,
        status       text NOT NULL,
        created_at   timestamptz NOT NULL,
        rotated_at   timestamptz,
        expires_at   timestamptz,
        revoked_at   timestamptz,
        deleted_at   timestamptz,
        updated_at   timestamptz NOT NULL,
        sequence     integer NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_keys_workspace ON audit_keys (workspace_id, status)`);
    // Usage as the gateway reports it: one row per usage event, idempotent by (stream, sequence).
    await q.query(`
      CREATE TABLE usage_windows (
        stream           text NOT NULL,
        sequence         bigint NOT NULL,
        workspace_id     text,
        key_id           text,
        window_start     timestamptz NOT NULL,
        window_end       timestamptz NOT NULL,
        first_seen_at    timestamptz NOT NULL,
        last_seen_at     timestamptz NOT NULL,
        counts           integer[] NOT NULL,
        client_addresses inet[] NOT NULL,
        PRIMARY KEY (stream, sequence)
      )`);
    await q.query(
      `CREATE INDEX usage_windows_key_time ON usage_windows (key_id, window_start) WHERE key_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX usage_windows_time ON usage_windows (window_start)`);
    // Per-key counts by outcome per minute, hour and day.
    await q.query(`
      CREATE TABLE usage_rollups (
        key_id       text NOT NULL,
        granularity  text NOT NULL CHECK (granularity IN ('minute', 'hour', 'day')),
        bucket_start timestamptz NOT NULL,
        workspace_id text NOT NULL,
        ${outcomeColumns},
        PRIMARY KEY (key_id, granularity, bucket_start)
      )`);
    await q.query(`CREATE INDEX usage_rollups_time ON usage_rollups (granularity, bucket_start)`);
    // Per key: when it was first and last used, totals by outcome.
    await q.query(`
      CREATE TABLE key_activity (
        key_id        text PRIMARY KEY,
        workspace_id  text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at  timestamptz NOT NULL,
        last_used_at  timestamptz,
        ${outcomeColumns}
      )`);
    // Per key and client address: first and last seen, windows seen in.
    await q.query(`
      CREATE TABLE key_addresses (
        key_id        text NOT NULL,
        address       inet NOT NULL,
        workspace_id  text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at  timestamptz NOT NULL,
        windows       bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (key_id, address)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'key_addresses',
      'key_activity',
      'usage_rollups',
      'usage_windows',
      'audit_keys',
      'audit_subject_states',
      'audit_consumer_progress',
      'audit_chain_heads',
      'audit_events',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`
      CREATE TABLE audit_events (
        position     bigserial PRIMARY KEY,
        event_id     uuid NOT NULL,
        workspace_id text,
        subject      text NOT NULL,
        sequence     integer NOT NULL,
        type         text NOT NULL,
        actor        text,
        occurred_at  timestamptz NOT NULL,
        event        jsonb NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT audit_events_subject_sequence UNIQUE (subject, sequence)
      )`);
  }
}
