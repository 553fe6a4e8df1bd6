import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type DecodedBatch } from '@keyway/platform-kafka';
import { ChainAppender, type ChainEntry } from '../chain/chain-appender';
import { ConsumerProgressRepository } from '../progress/consumer-progress.repository';
import { type AuditKeyRow, AuditKeysRepository } from './audit-keys.repository';
import { changeOf, type Fields } from './subject-change';
import { type SubjectState, SubjectStatesRepository } from './subject-states.repository';
import { type TrailEvent } from './trail-event';

/**
 * Applies a batch of lifecycle events in one transaction: their records onto the workspace
 * chains, the subjects' states, `audit_keys`, and the partition's progress. One statement per
 * table, whatever the batch size.
 */
@Injectable()
export class TrailIngest {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly appender: ChainAppender,
    private readonly states: SubjectStatesRepository,
    private readonly keys: AuditKeysRepository,
    private readonly progress: ConsumerProgressRepository,
  ) {}

  /** Returns how many records were appended (redeliveries are not). */
  async apply(groupId: string, batch: DecodedBatch<TrailEvent>): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await this.progress.lock(manager, groupId, batch);
      const events = batch.items.map((item) => item.value);
      const known = await this.states.findMany(
        manager,
        events.map(({ event }) => event.subject),
      );
      const changed = new Map<string, SubjectState>();
      const keyRows = new Map<string, AuditKeyRow>();
      const entries: ChainEntry[] = [];
      for (const trailEvent of events) {
        const { event } = trailEvent;
        const current = changed.get(event.subject) ?? known.get(event.subject);
        // An event at or before the subject's state is a redelivery: on the trail already, or
        // pruned from it by retention (a partition read again from its start), and never to be
        // appended twice. identity publishes each subject's events in order, on one partition.
        if (current !== undefined && event.sequence <= current.sequence) continue;
        const change = changeOf(trailEvent, current?.state ?? null);
        entries.push(entryOf(trailEvent, change.before, change.after));
        const next = {
          subject: event.subject,
          workspaceId: event.workspaceid,
          sequence: event.sequence,
          state: change.state,
        };
        changed.set(event.subject, next);
        if (trailEvent.kind === 'key') keyRows.set(event.subject, keyRowOf(next, event.time));
      }
      await this.states.saveMany(manager, [...changed.values()]);
      await this.keys.saveMany(manager, [...keyRows.values()]);
      await this.progress.advance(manager, groupId, batch);
      // Last: from here to the commit this batch holds its workspaces' chain heads, which the
      // partitions applied side by side (sharing workspaces) otherwise wait for.
      const appended = await this.appender.append(manager, entries);
      return appended.length;
    });
  }
}

function entryOf({ event }: TrailEvent, before: Fields | null, after: Fields | null): ChainEntry {
  return {
    workspaceId: event.workspaceid,
    id: event.id,
    type: event.type,
    subject: event.subject,
    sequence: event.sequence,
    time: event.time,
    actor: event.actor,
    clientAddress: event.actorip ?? null,
    userAgent: event.actoruseragent ?? null,
    correlationId: event.correlationid ?? null,
    keyId: KEY_ID.test(event.subject) ? event.subject : keyIdIn(event.data),
    before,
    after,
  };
}

const KEY_ID = /^key_[0-9A-Za-z]{1,64}$/;

/** `data.keyId` of an event about a key that is not its subject, where there is one. */
function keyIdIn(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const keyId = (data as { keyId?: unknown }).keyId;
  return typeof keyId === 'string' && KEY_ID.test(keyId) ? keyId : null;
}

function keyRowOf(subject: SubjectState, time: string): AuditKeyRow {
  const { state } = subject;
  const text = (field: string): string | null => {
    const value = state[field];
    return typeof value === 'string' ? value : null;
  };
  return {
    keyId: subject.subject,
    workspaceId: subject.workspaceId,
    name: text('name'),
    environment: text('environment'),
    ownerId: text('ownerId'),
    status: text('status') ?? 'active',
    // A key first seen after its issue (never, while topics keep everything): its earliest event.
    createdAt: text('createdAt') ?? time,
    rotatedAt: text('lastRotatedAt'),
    expiresAt: text('expiresAt'),
    revokedAt: text('revokedAt'),
    deletedAt: text('deletedAt'),
    updatedAt: time,
    sequence: subject.sequence,
  };
}
