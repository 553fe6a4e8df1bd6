import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Idempotency records for POST requests; member lookups by workspace; key listing filters. */
export class Management1732320000002 implements MigrationInterface {
  name = 'Management1732320000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_records (
        principal_key_id text NOT NULL,
        idempotency_key  text NOT NULL,
        request_hash     text NOT NULL,
        status_code      integer,
        response         text,
        created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (principal_key_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX idempotency_records_created ON idempotency_records (created_at)`);
    await q.query(`ALTER TABLE members ADD COLUMN resource jsonb`);
    await q.query(`ALTER TABLE workspaces ADD COLUMN resource jsonb`);
    await q.query(`CREATE INDEX members_workspace ON members (workspace_id, created_at, id)`);
    await q.query(`CREATE INDEX keys_owner ON keys (owner_id) WHERE owner_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX keys_expiring ON keys (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX keys_expiring`);
    await q.query(`DROP INDEX keys_owner`);
    await q.query(`DROP INDEX members_workspace`);
    await q.query(`ALTER TABLE workspaces DROP COLUMN resource`);
    await q.query(`ALTER TABLE members DROP COLUMN resource`);
    await q.query(`DROP TABLE idempotency_records`);
  }
}
