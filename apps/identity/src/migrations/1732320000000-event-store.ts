import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The append-only event store (gapless sequence per aggregate, enforced by the database) and the
 * transactional outbox that the relay publishes to Kafka.
 */
export class EventStore1732320000000 implements MigrationInterface {
  name = 'EventStore1732320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_store (
        position       bigserial PRIMARY KEY,
        event_id       uuid NOT NULL UNIQUE,
        aggregate_type text NOT NULL,
        aggregate_id   text NOT NULL,
        workspace_id   text NOT NULL,
        sequence       integer NOT NULL CHECK (sequence > 0),
        type           text NOT NULL,
        event          jsonb NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT event_store_aggregate_sequence UNIQUE (aggregate_id, sequence)
      )`);
    await q.query(`CREATE INDEX event_store_workspace ON event_store (workspace_id, position)`);
    await q.query(`
      CREATE FUNCTION event_store_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'event_store is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER event_store_append_only BEFORE UPDATE OR DELETE ON event_store
      FOR EACH ROW EXECUTE FUNCTION event_store_forbid_change()`);
    await q.query(`
      CREATE TRIGGER event_store_no_truncate BEFORE TRUNCATE ON event_store
      FOR EACH STATEMENT EXECUTE FUNCTION event_store_forbid_change()`);
    await q.query(`
      CREATE FUNCTION event_store_gapless() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sequence > 1 AND NOT EXISTS (
          SELECT 1 FROM event_store WHERE aggregate_id = NEW.aggregate_id AND sequence = NEW.sequence - 1
        ) THEN
          RAISE EXCEPTION 'sequence % of % leaves a gap', NEW.sequence, NEW.aggregate_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER event_store_gapless BEFORE INSERT ON event_store
      FOR EACH ROW EXECUTE FUNCTION event_store_gapless()`);

    await q.query(`
      CREATE TABLE outbox (
        id           bigserial PRIMARY KEY,
        event_id     uuid NOT NULL,
        topic        text NOT NULL,
        message_key  text NOT NULL,
        payload      text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('keyway_outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP FUNCTION outbox_notify`);
    await q.query(`DROP TABLE event_store`);
    await q.query(`DROP FUNCTION event_store_gapless`);
    await q.query(`DROP FUNCTION event_store_forbid_change`);
  }
}
