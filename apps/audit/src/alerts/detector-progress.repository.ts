import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** `alert_detector_progress`: the last minute a timer detector judged. */
@Injectable()
export class DetectorProgressRepository {
  async evaluatedThrough(manager: EntityManager, detector: string): Promise<Date | null> {
    const rows: Array<{ evaluated_through: Date }> = await manager.query(
      `SELECT evaluated_through FROM alert_detector_progress WHERE detector = $1`,
      [detector],
    );
    return rows[0]?.evaluated_through ?? null;
  }

  async advance(manager: EntityManager, detector: string, through: Date): Promise<void> {
    await manager.query(
      `INSERT INTO alert_detector_progress (detector, evaluated_through) VALUES ($1, $2)
       ON CONFLICT (detector) DO UPDATE SET evaluated_through = EXCLUDED.evaluated_through`,
      [detector, through],
    );
  }
}
