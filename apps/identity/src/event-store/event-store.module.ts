import { Module } from '@nestjs/common';
import { OutboxRepository } from '../outbox/outbox.repository';
import { Aggregates } from './aggregates';
import { EventStore } from './event-store';

/** The event store and the executor that runs a command on an aggregate. */
@Module({
  providers: [OutboxRepository, EventStore, Aggregates],
  exports: [EventStore, Aggregates],
})
export class EventStoreModule {}
