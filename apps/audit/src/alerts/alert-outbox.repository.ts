import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';

export interface AlertOutboxMessage {
  id: string;
  alertId: string;
  payload: string;
}

/** Only one relay publishes at a time (across replicas), which keeps an alert's events in order. */
const RELAY_LOCK_ID = 0x616c6572746f; // "alerto"

/** `alert_outbox`: alert events recorded with their alert and not yet (or lately) published. */
@Injectable()
export class AlertOutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(manager: EntityManager, alertId: string, sequence: number, payload: string) {
    await manager.query(
      `INSERT INTO alert_outbox (alert_id, sequence, payload) VALUES ($1, $2, $3)`,
      [alertId, sequence, payload],
    );
  }

  /** Makes this transaction the publishing relay; false when another replica's is. */
  async tryLeadRelay(manager: EntityManager): Promise<boolean> {
    const [row] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      RELAY_LOCK_ID,
    ])) as { locked: boolean }[];
    return row?.locked === true;
  }

  async findUnpublished(manager: EntityManager, limit: number): Promise<AlertOutboxMessage[]> {
    const rows: Array<{ id: string; alert_id: string; payload: string }> = await manager.query(
      `SELECT id, alert_id, payload FROM alert_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ id: row.id, alertId: row.alert_id, payload: row.payload }));
  }

  async markPublished(manager: EntityManager, ids: readonly string[]): Promise<void> {
    await manager.query(
      `UPDATE alert_outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Forgets events published over a day ago (the alerts table keeps the alerts). */
  async deletePublishedBefore(retention: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM alert_outbox WHERE published_at < clock_timestamp() - $1::interval`,
      [retention],
    );
  }
}
