import { Module } from '@nestjs/common';
import { ProjectionRebuild } from '../projections/projection-rebuild';
import { ReadModelProjector } from '../projections/read-model.projector';
import { Aggregates } from './aggregates';
import { Changes } from './changes';
import { EventStore } from './event-store';

/** The event store, the aggregates executor and the read models it keeps in step. */
@Module({
  providers: [EventStore, Changes, Aggregates, ReadModelProjector, ProjectionRebuild],
  exports: [EventStore, Changes, Aggregates, ReadModelProjector, ProjectionRebuild],
})
export class EventStoreModule {}
