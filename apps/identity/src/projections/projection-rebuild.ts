import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { EventStore } from '../event-store/event-store';
import { ReadModelProjector } from './read-model.projector';

/** The read models, all of them derived from the event store. */
export const READ_MODEL_TABLES = ['keys', 'members', 'workspaces'] as const;

/**
 * Rebuilds the read models from the event store: empties them and replays every event in commit
 * order through the projector, in one transaction (writers wait; readers see old or new, never
 * half).
 */
@Injectable()
export class ProjectionRebuild {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly projector: ReadModelProjector,
  ) {}

  async rebuild(): Promise<{ events: number }> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`LOCK TABLE ${READ_MODEL_TABLES.join(', ')} IN EXCLUSIVE MODE`);
      await tx.query(`TRUNCATE ${READ_MODEL_TABLES.join(', ')}`);
      let events = 0;
      for await (const page of this.store.all(tx)) {
        for (const event of page) await this.projector.apply(tx, event);
        events += page.length;
      }
      return { events };
    });
  }
}
