import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type CloudEvent, parseKeyEvent, parseWorkspaceEvent, TOPICS } from '@keyway/contracts';
import { Clock } from '../clock';
import { OutboxRepository } from '../outbox/outbox.repository';
import { EventStoreError } from './event-store.errors';

/** Who caused a change and from where; recorded on every event. */
export interface EventContext {
  actor: string;
  actorIp?: string | undefined;
  actorUserAgent?: string | undefined;
  correlationId?: string | undefined;
  causationId?: string | undefined;
}

/** An event to append, before the store adds its envelope: a contract event's `type` and `data`. */
export interface NewEvent {
  type: string;
  data: object;
}

/** Each event of a contract union `E` as a new event: `{ type, data }`, still discriminated. */
export type NewEventOf<E extends NewEvent> = E extends unknown
  ? { type: E['type']; data: E['data'] }
  : never;

/** A CloudEvent as stored and published (the envelope of `@keyway/contracts`). */
export type RecordedEvent = CloudEvent<string, object>;

/** A recorded event of the union `E`: the stored envelope, with `type` and `data` narrowed. */
export type RecordedEventOf<E extends NewEvent> = E extends unknown
  ? Omit<RecordedEvent, 'type' | 'data'> & E
  : never;

export interface AppendRequest {
  topic: string;
  aggregateType: 'key' | 'workspace' | 'member' | 'identity';
  aggregateId: string;
  workspaceId: string;
  /** The aggregate's version the decision was made on; 0 for a new aggregate. */
  expectedVersion: number;
  events: readonly NewEvent[];
  context: EventContext;
  /** Kafka message key; the aggregate id unless the topic is keyed otherwise. */
  partitionKey?: string;
}

/** One SQL statement with its positional parameters (`$1`, `$2`…). */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

const UNIQUE_VIOLATION = '23505';
const SEQUENCE_CONSTRAINT = 'event_store_aggregate_sequence';

/** Identity never records an event its consumers would reject: each is checked on the way in. */
const CONTRACTS: Readonly<Record<string, (event: unknown) => unknown>> = {
  [TOPICS.keys]: parseKeyEvent,
  [TOPICS.workspaces]: parseWorkspaceEvent,
};
const SOURCE = '/keyway/identity';

/**
 * Data-modifying statements as one (`WITH w0 AS (…), w1 AS (…) SELECT 1`), their parameters
 * renumbered: Postgres runs each exactly once, atomically, in one round trip. The statements use
 * positional parameters only (no `$` in literals).
 */
export function asOneStatement(statements: readonly SqlStatement[]): SqlStatement {
  const params: unknown[] = [];
  const parts = statements.map((statement, index) => {
    const offset = params.length;
    params.push(...statement.params);
    const sql = statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    return `w${index} AS (${sql})`;
  });
  return { sql: `WITH ${parts.join(',\n')}\nSELECT 1`, params };
}

/**
 * The `event_store` table: appends events (gapless sequence per aggregate, checked against their
 * contract) and, in the same statement, hands each to the outbox the relay publishes from, and
 * runs the read-model writes the caller adds. All are written or none: one round trip.
 */
@Injectable()
export class EventStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  async append(manager: EntityManager, request: AppendRequest): Promise<RecordedEvent[]> {
    const recorded = this.record(request);
    await this.write(manager, request, recorded);
    return recorded;
  }

  /**
   * The events of `request` as they will be recorded (envelope, sequence, id), checked against
   * their topic's contract; nothing is written.
   */
  record(request: AppendRequest): RecordedEvent[] {
    const time = this.clock.now().toISOString();
    const recorded = request.events.map((event, index): RecordedEvent => {
      const { context } = request;
      return {
        specversion: '1.0',
        id: randomUUID(),
        source: SOURCE,
        type: event.type,
        subject: request.aggregateId,
        time,
        datacontenttype: 'application/json',
        workspaceid: request.workspaceId,
        sequence: request.expectedVersion + index + 1,
        actor: context.actor,
        ...(context.actorIp === undefined ? {} : { actorip: context.actorIp }),
        ...(context.actorUserAgent === undefined ? {} : { actoruseragent: context.actorUserAgent }),
        ...(context.correlationId === undefined ? {} : { correlationid: context.correlationId }),
        ...(context.causationId === undefined ? {} : { causationid: context.causationId }),
        data: event.data,
      };
    });
    for (const event of recorded) CONTRACTS[request.topic]?.(event);
    return recorded;
  }

  /**
   * Writes `recorded` (from `record`) and their outbox rows, and `also` (read-model writes that
   * must commit with them), as one statement: one round trip, all or nothing even outside a
   * transaction. A concurrent writer of the same sequence fails it with `CONCURRENCY_CONFLICT`.
   */
  async write(
    manager: EntityManager,
    request: AppendRequest,
    recorded: readonly RecordedEvent[],
    also: readonly SqlStatement[] = [],
  ): Promise<void> {
    if (recorded.length === 0) return;
    const rows = recorded.map((event) => ({ event, payload: JSON.stringify(event) }));
    const events: SqlStatement = {
      sql: `INSERT INTO event_store (event_id, aggregate_type, aggregate_id, workspace_id, sequence, type, event)
            VALUES ${rows.map((_, i) => `(${[1, 2, 3, 4, 5, 6, 7].map((c) => `$${7 * i + c}`).join(', ')})`).join(', ')}`,
      params: rows.flatMap(({ event, payload }) => [
        event.id,
        request.aggregateType,
        event.subject,
        event.workspaceid,
        event.sequence,
        event.type,
        payload,
      ]),
    };
    const outbox = this.outbox.insertStatement(
      rows.map(({ event, payload }) => ({
        eventId: event.id,
        topic: request.topic,
        messageKey: request.partitionKey ?? event.subject,
        payload,
      })),
    );
    // Rows of one INSERT go in in order, so the gapless trigger sees each one's predecessor.
    const { sql, params } = asOneStatement([events, outbox, ...also]);
    try {
      await manager.query(sql, params);
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === UNIQUE_VIOLATION && constraint === SEQUENCE_CONSTRAINT) {
        throw EventStoreError.concurrencyConflict(request.aggregateId);
      }
      throw error;
    }
  }

  /** An aggregate's events in sequence order. */
  async load(
    aggregateId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RecordedEvent[]> {
    const rows: { event: RecordedEvent }[] = await manager.query(
      `SELECT event FROM event_store WHERE aggregate_id = $1 ORDER BY sequence`,
      [aggregateId],
    );
    return rows.map((row) => row.event);
  }

  /** The latest event of one of `types` of each of the aggregates that have one. */
  async latestOfTypes(
    aggregateIds: readonly string[],
    types: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, RecordedEvent>> {
    if (aggregateIds.length === 0) return new Map();
    const rows: { aggregate_id: string; event: RecordedEvent }[] = await manager.query(
      `SELECT DISTINCT ON (aggregate_id) aggregate_id, event FROM event_store
        WHERE aggregate_id = ANY($1) AND type = ANY($2)
        ORDER BY aggregate_id, sequence DESC`,
      [aggregateIds, types],
    );
    return new Map(rows.map((row) => [row.aggregate_id, row.event]));
  }

  /** Every event in commit-position order, in pages, for rebuilding projections. */
  async *all(
    manager: EntityManager = this.dataSource.manager,
    pageSize = 1_000,
  ): AsyncGenerator<RecordedEvent[]> {
    let after = '0';
    for (;;) {
      const rows: { position: string; event: RecordedEvent }[] = await manager.query(
        `SELECT position, event FROM event_store WHERE position > $1 ORDER BY position LIMIT $2`,
        [after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => row.event);
      after = rows[rows.length - 1]?.position ?? after;
    }
  }
}
