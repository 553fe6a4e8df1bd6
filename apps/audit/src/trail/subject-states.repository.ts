import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type Fields } from './subject-change';

export interface SubjectState {
  readonly subject: string;
  readonly workspaceId: string;
  /** The subject's last applied sequence. */
  readonly sequence: number;
  readonly state: Fields;
}

/** `audit_subject_states`: the latest state of every key, workspace, member and identity. */
@Injectable()
export class SubjectStatesRepository {
  async findMany(
    manager: EntityManager,
    subjects: readonly string[],
  ): Promise<Map<string, SubjectState>> {
    if (subjects.length === 0) return new Map();
    const rows: Array<{ subject: string; workspace_id: string; sequence: number; state: Fields }> =
      await manager.query(
        `SELECT subject, workspace_id, sequence, state FROM audit_subject_states
          WHERE subject = ANY($1::text[])`,
        [[...new Set(subjects)]],
      );
    return new Map(
      rows.map((row) => [
        row.subject,
        {
          subject: row.subject,
          workspaceId: row.workspace_id,
          sequence: row.sequence,
          state: row.state,
        },
      ]),
    );
  }

  /**
   * Upserts in one statement (one JSON parameter: cheaper than pg's escaping of array elements);
   * a state never goes back to an older sequence.
   */
  async saveMany(manager: EntityManager, states: readonly SubjectState[]): Promise<void> {
    if (states.length === 0) return;
    await manager.query(
      `INSERT INTO audit_subject_states (subject, workspace_id, sequence, state)
       SELECT subject, workspace_id, sequence, state
         FROM jsonb_to_recordset($1::jsonb)
           AS r(subject text, workspace_id text, sequence int, state jsonb)
       ON CONFLICT (subject) DO UPDATE
         SET workspace_id = EXCLUDED.workspace_id, sequence = EXCLUDED.sequence,
             state = EXCLUDED.state
       WHERE audit_subject_states.sequence < EXCLUDED.sequence`,
      [
        JSON.stringify(
          states.map((s) => ({
            subject: s.subject,
            workspace_id: s.workspaceId,
            sequence: s.sequence,
            state: s.state,
          })),
        ),
      ],
    );
  }
}
