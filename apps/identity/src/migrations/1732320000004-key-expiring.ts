import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What `key.expiring` announced, per key: the expiry (and the previous secret's end) last
 * announced, and partial indexes holding only the active keys whose end is still unannounced, so
 * the scheduler's scan reads the few due ones and nothing else.
 */
export class KeyExpiring1732320000004 implements MigrationInterface {
  name = 'KeyExpiring1732320000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE keys ADD COLUMN expiring_notified_for timestamptz,
                       ADD COLUMN previous_expiring_notified_for timestamptz`);
    // Nothing was announced before; the state as JSON gets the same fields the projector writes.
    await q.query(`
      UPDATE keys SET resource = resource
        || '{"expiringNotifiedFor": null, "previousExpiringNotifiedFor": null}'::jsonb`);
    await q.query(`
      CREATE INDEX keys_expiring_unannounced ON keys (expires_at)
       WHERE status = 'active' AND expires_at IS NOT NULL
         AND expires_at IS DISTINCT FROM expiring_notified_for`);
    await q.query(`
      CREATE INDEX keys_previous_expiring_unannounced ON keys (previous_key_expires_at)
       WHERE status = 'active' AND previous_key_expires_at IS NOT NULL
         AND previous_key_expires_at IS DISTINCT FROM previous_expiring_notified_for`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX keys_previous_expiring_unannounced`);
    await q.query(`DROP INDEX keys_expiring_unannounced`);
    await q.query(`
      UPDATE keys SET resource = resource - 'expiringNotifiedFor' - 'previousExpiringNotifiedFor'`);
    await q.query(`
      ALTER TABLE keys DROP COLUMN previous_expiring_notified_for,
                       DROP COLUMN expiring_notified_for`);
  }
}
