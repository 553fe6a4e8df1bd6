import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Read models for lookups and listing: projections of the event store, rebuildable from it. */
export class ReadModels1732320000001 implements MigrationInterface {
  name = 'ReadModels1732320000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workspaces (
        id                  text PRIMARY KEY,
        name                text NOT NULL,
        prefix              text NOT NULL,
        default_rate_limits jsonb NOT NULL,
        created_at          timestamptz NOT NULL,
        version             integer NOT NULL
      )`);
    await q.query(`
      CREATE TABLE members (
        id           text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES workspaces (id),
        email        text NOT NULL,
        role         text NOT NULL,
        status       text NOT NULL,
        created_at   timestamptz NOT NULL,
        version      integer NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX members_email ON members (workspace_id, lower(email)) WHERE status = 'active'`,
    );
    await q.query(`
      CREATE TABLE keys (
        id                       text PRIMARY KEY,
        workspace_id             text NOT NULL,
        key_hash                 text NOT NULL UNIQUE,
        previous_key_hash        text UNIQUE,
        previous_key_expires_at  timestamptz,
        environment              text NOT NULL,
        status                   text NOT NULL,
        scopes                   text[] NOT NULL,
        owner_id                 text,
        expires_at               timestamptz,
        created_at               timestamptz NOT NULL,
        version                  integer NOT NULL,
        resource                 jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX keys_workspace ON keys (workspace_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE keys`);
    await q.query(`DROP TABLE members`);
    await q.query(`DROP TABLE workspaces`);
  }
}
