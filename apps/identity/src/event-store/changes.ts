import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { ReadModelProjector } from '../projections/read-model.projector';
import { type AppendRequest, EventStore, type RecordedEvent } from './event-store';

/** Records decided events: append to the store and outbox, then update the read models. */
@Injectable()
export class Changes {
  constructor(
    private readonly store: EventStore,
    private readonly projector: ReadModelProjector,
  ) {}

  async record(manager: EntityManager, request: AppendRequest): Promise<RecordedEvent[]> {
    const recorded = await this.store.append(manager, request);
    for (const event of recorded) await this.projector.apply(manager, event);
    return recorded;
  }
}
