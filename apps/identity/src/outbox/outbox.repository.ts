import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';

/** A message to publish: written with its event, in the transaction that records it. */
export interface OutboxEntry {
  eventId: string;
  topic: string;
  /** Kafka message key: the aggregate id unless the topic is keyed otherwise. */
  messageKey: string;
  payload: string;
}

export interface OutboxMessage {
  id: string;
  topic: string;
  messageKey: string;
  payload: string;
  createdAt: Date;
}

/** Only one relay publishes at a time (across replicas), which keeps each key's events in order. */
const RELAY_LOCK_ID = 0x6f7574626f78; // "outbox"

/** The `outbox` table: what is recorded but not yet published, and a day of what was. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(tx: EntityManager, entry: OutboxEntry): Promise<void> {
    const { sql, params } = this.insertStatement([entry]);
    await tx.query(sql, params);
  }

  /**
   * The INSERT of `entries`, in order, as a statement (`$1`…) for the event store to send with
   * the events themselves, in one round trip.
   */
  insertStatement(entries: readonly OutboxEntry[]): { sql: string; params: unknown[] } {
    const params = entries.flatMap((entry) => [
      entry.eventId,
      entry.topic,
      entry.messageKey,
      entry.payload,
    ]);
    const rows = entries.map(
      (_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`,
    );
    return {
      sql: `INSERT INTO outbox (event_id, topic, message_key, payload) VALUES ${rows.join(', ')}`,
      params,
    };
  }

  /** Makes this transaction the publishing relay; false when another relay is publishing. */
  async tryLeadRelay(tx: EntityManager): Promise<boolean> {
    const [lock] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      RELAY_LOCK_ID,
    ])) as { locked: boolean }[];
    return lock?.locked === true;
  }

  /** The oldest unpublished messages, in the order they were recorded. */
  async findUnpublished(tx: EntityManager, limit: number): Promise<OutboxMessage[]> {
    const rows = (await tx.query(
      `SELECT id, topic, message_key, payload, created_at FROM outbox
       WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [limit],
    )) as { id: string; topic: string; message_key: string; payload: string; created_at: Date }[];
    return rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      messageKey: row.message_key,
      payload: row.payload,
      createdAt: row.created_at,
    }));
  }

  async markPublished(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await tx.query('UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1)', [ids]);
  }

  /** Deletes rows published longer than `retention` (a Postgres interval) ago; returns how many. */
  async deletePublishedBefore(retention: string): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM outbox WHERE published_at < clock_timestamp() - $1::interval`,
      [retention],
    )) as [unknown, number];
    return deleted;
  }
}
