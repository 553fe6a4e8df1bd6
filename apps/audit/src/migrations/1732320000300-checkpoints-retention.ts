import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Signed checkpoints of each workspace's chain, and each workspace's retention. */
export class CheckpointsRetention1732320000300 implements MigrationInterface {
  name = 'CheckpointsRetention1732320000300';

  async up(q: QueryRunner): Promise<void> {
    // One row per signed checkpoint; `note` is the signed note, the other columns copy its text.
    // `published_at` stays null until Kafka acknowledged it: what is unpublished is sent again.
    await q.query(`
      CREATE TABLE audit_checkpoints (
        workspace_id    text NOT NULL,
        sequence        bigint NOT NULL,
        event_id        uuid NOT NULL,
        size            bigint NOT NULL,
        head_hash       text NOT NULL,
        start_position  bigint NOT NULL,
        start_prev_hash text NOT NULL,
        key_name        text NOT NULL,
        key_id          text NOT NULL,
        note            text NOT NULL,
        signed_at       timestamptz NOT NULL,
        published_at    timestamptz,
        PRIMARY KEY (workspace_id, sequence)
      )`);
    await q.query(
      `CREATE INDEX audit_checkpoints_unpublished ON audit_checkpoints (signed_at) WHERE published_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE audit_retention (
        workspace_id text PRIMARY KEY,
        days         integer NOT NULL,
        sequence     integer NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_retention`);
    await q.query(`DROP TABLE audit_checkpoints`);
  }
}
