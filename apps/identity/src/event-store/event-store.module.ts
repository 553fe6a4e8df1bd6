import { Module } from '@nestjs/common';
import { ReadModelProjector } from '../projections/read-model.projector';
import { Changes } from './changes';
import { EventStore } from './event-store';

/** The event store and the read models it keeps in step. */
@Module({
  providers: [EventStore, Changes, ReadModelProjector],
  exports: [EventStore, Changes, ReadModelProjector],
})
export class EventStoreModule {}
