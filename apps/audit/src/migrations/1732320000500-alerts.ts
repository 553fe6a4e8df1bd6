import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Alerts, their suppressions, the events to publish about them, and the timer's progress. */
export class Alerts1732320000500 implements MigrationInterface {
  name = 'Alerts1732320000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id               text PRIMARY KEY,
        workspace_id     text NOT NULL,
        kind             text NOT NULL,
        key_id           text NOT NULL,
        status           text NOT NULL CHECK (status IN ('open', 'resolved')),
        first_seen_at    timestamptz NOT NULL,
        last_seen_at     timestamptz NOT NULL,
        raised_at        timestamptz NOT NULL,
        resolved_at      timestamptz,
        counts           jsonb NOT NULL,
        client_addresses text[] NOT NULL,
        details          jsonb NOT NULL,
        CHECK ((status = 'open') = (resolved_at IS NULL))
      )`);
    // One open alert per key and kind: a detection updates it rather than raising another.
    await q.query(
      `CREATE UNIQUE INDEX alerts_open_per_key ON alerts (key_id, kind) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX alerts_open_by_kind ON alerts (kind, last_seen_at) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX alerts_workspace ON alerts (workspace_id, raised_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX alerts_workspace_key ON alerts (workspace_id, key_id, raised_at DESC, id DESC)`,
    );
    // Alert events, written in the transaction that raises or resolves the alert and published
    // by the alert relay: at least once, in order.
    await q.query(`
      CREATE TABLE alert_outbox (
        id           bigserial PRIMARY KEY,
        alert_id     text NOT NULL,
        sequence     integer NOT NULL,
        payload      text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX alert_outbox_unpublished ON alert_outbox (id) WHERE published_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE alert_suppressions (
        id           text PRIMARY KEY,
        workspace_id text NOT NULL,
        key_id       text,
        cidr         cidr,
        kind         text,
        ends_at      timestamptz,
        reason       text NOT NULL,
        created_at   timestamptz NOT NULL,
        created_by   text NOT NULL,
        deleted_at   timestamptz,
        deleted_by   text,
        CHECK (key_id IS NOT NULL OR cidr IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX alert_suppressions_live ON alert_suppressions (workspace_id, created_at DESC, id DESC)
        WHERE deleted_at IS NULL`,
    );
    // How far a timer detector has evaluated (the burst detector: the last minute it judged).
    await q.query(`
      CREATE TABLE alert_detector_progress (
        detector          text PRIMARY KEY,
        evaluated_through timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'alert_detector_progress',
      'alert_suppressions',
      'alert_outbox',
      'alerts',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
