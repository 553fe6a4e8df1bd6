import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type CloudEventEnvelope } from '@keyway/contracts';

/** The audit trail table. Inserting an event already recorded is a no-op. */
@Injectable()
export class AuditTrailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Returns false when (subject, sequence) was already recorded (a redelivery). */
  async recordOnce(event: CloudEventEnvelope): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO audit_events (event_id, workspace_id, subject, sequence, type, actor, occurred_at, event)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (subject, sequence) DO NOTHING
       RETURNING position`,
      [
        event.id,
        event.workspaceid ?? null,
        event.subject,
        event.sequence,
        event.type,
        event.actor,
        event.time,
        JSON.stringify(event),
      ],
    );
    return rows.length === 1;
  }
}
