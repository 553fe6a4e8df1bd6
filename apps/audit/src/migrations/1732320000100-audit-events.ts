import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The audit trail: every key, workspace and member event, once per (subject, sequence). */
export class AuditEvents1732320000100 implements MigrationInterface {
  name = 'AuditEvents1732320000100';

  async up(q: QueryRunner): Promise<void> {
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
    await q.query(
      `CREATE INDEX audit_events_workspace_time ON audit_events (workspace_id, occurred_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
  }
}
