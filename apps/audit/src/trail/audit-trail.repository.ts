import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type CloudEventEnvelope } from '@keyway/contracts';
import { ChainAppender, type ChainEntry } from '../chain/chain-appender';

/** Records key and workspace events on their workspace's chain, once per (subject, sequence). */
@Injectable()
export class AuditTrailRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly appender: ChainAppender,
  ) {}

  /** Returns false when (subject, sequence) was already recorded (a redelivery). */
  async recordOnce(event: CloudEventEnvelope & { workspaceid: string }): Promise<boolean> {
    const appended = await this.dataSource.transaction((manager) =>
      this.appender.append(manager, [entryOf(event)]),
    );
    return appended.length === 1;
  }
}

export function entryOf(event: CloudEventEnvelope & { workspaceid: string }): ChainEntry {
  const keyId = event.subject.startsWith('key_') ? event.subject : null;
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
    keyId,
    before: null,
    after: (event.data ?? null) as ChainEntry['after'],
  };
}
