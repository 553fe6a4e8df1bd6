import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The `identities` read model: external owners whose scopes cap their keys. A deleted identity
 * keeps its row (`status = 'deleted'`); one live identity per external id and workspace.
 */
export class Identities1732320000003 implements MigrationInterface {
  name = 'Identities1732320000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identities (
        id           text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES workspaces (id),
        external_id  text NOT NULL,
        status       text NOT NULL,
        created_at   timestamptz NOT NULL,
        version      integer NOT NULL,
        resource     jsonb NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX identities_external_id ON identities (workspace_id, external_id) WHERE status = 'active'`,
    );
    await q.query(
      `CREATE INDEX identities_workspace ON identities (workspace_id, created_at DESC, id DESC) WHERE status = 'active'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identities`);
  }
}
