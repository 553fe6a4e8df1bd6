import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Indexes of the usage reports: active keys of a workspace by id, and by last rotation. */
export class UsageReportIndexes1732320000400 implements MigrationInterface {
  name = 'UsageReportIndexes1732320000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX audit_keys_active_id ON audit_keys (workspace_id, key_id)
        WHERE status = 'active' AND deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX audit_keys_active_rotation
          ON audit_keys (workspace_id, (COALESCE(rotated_at, created_at)), key_id)
       WHERE status = 'active' AND deleted_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_keys_active_rotation`);
    await q.query(`DROP INDEX audit_keys_active_id`);
  }
}
