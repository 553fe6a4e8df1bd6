import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock';
import {
  type AppendRequest,
  type EventContext,
  EventStore,
  type NewEvent,
  type RecordedEvent,
  type SqlStatement,
} from './event-store';

export interface ExecuteRequest<S> {
  topic: string;
  aggregateType: AppendRequest['aggregateType'];
  aggregateId: string;
  /** The caller's workspace: an aggregate of another workspace is treated as absent (404). */
  workspaceId: string;
  partitionKey?: string;
  /** A new aggregate with a fresh id: nothing to load (a clash still fails on the sequence). */
  isNew?: boolean;
  fold: (events: readonly RecordedEvent[]) => S | null;
  workspaceOf: (state: S) => string;
  /** Checks made on the current state before deciding (authorisation, say). */
  authorize?: (state: S | null, tx: EntityManager) => void | Promise<void>;
  decide: (state: S | null, now: Date) => NewEvent[];
  /** Brings the aggregate's read model up to date with one recorded event, in the same transaction. */
  project: (tx: EntityManager, event: RecordedEvent) => Promise<void>;
  /**
   * Instead of `project`: the read-model writes for the aggregate's state after the command, sent
   * in the statement that appends its events (one round trip, no read of the read model).
   */
  readModel?: (state: S | null) => SqlStatement[];
  context: EventContext;
}

export interface Executed<S> {
  state: S | null;
  recorded: RecordedEvent[];
}

/**
 * Runs one command on one aggregate: load its events, fold them into state, decide, append to
 * the store (and so the outbox), update the read model, in one transaction. A concurrent writer
 * makes the append fail with `EventStoreError` `CONCURRENCY_CONFLICT`.
 */
@Injectable()
export class Aggregates {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async execute<S>(request: ExecuteRequest<S>, manager?: EntityManager): Promise<Executed<S>> {
    const work = async (tx: EntityManager): Promise<Executed<S>> => {
      const history = request.isNew ? [] : await this.store.load(request.aggregateId, tx);
      const folded = request.fold(history);
      const state =
        folded !== null && request.workspaceOf(folded) === request.workspaceId ? folded : null;
      await request.authorize?.(state, tx);
      const events = request.decide(state, this.clock.now());
      if (events.length === 0) return { state, recorded: [] };
      if (state === null && history.length > 0)
        throw new Error('cannot create over another workspace');
      const append: AppendRequest = {
        topic: request.topic,
        aggregateType: request.aggregateType,
        aggregateId: request.aggregateId,
        workspaceId: request.workspaceId,
        ...(request.partitionKey === undefined ? {} : { partitionKey: request.partitionKey }),
        expectedVersion: history.length,
        events,
        context: request.context,
      };
      const recorded = this.store.record(append);
      const after = request.fold([...history, ...recorded]);
      if (request.readModel) {
        await this.store.write(tx, append, recorded, request.readModel(after));
      } else {
        await this.store.write(tx, append, recorded);
        for (const event of recorded) await request.project(tx, event);
      }
      return { state: after, recorded };
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }
}
