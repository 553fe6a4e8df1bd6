import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { CHECKPOINT_EVENT_TYPES, type CheckpointSignedV1, TOPICS } from '@keyway/contracts';
import { EventPublisher, type OutgoingMessage } from '@keyway/platform-kafka';
import { Clock } from '../clock';
import { CheckpointsRepository, type StoredCheckpoint } from './checkpoints.repository';

const BATCH = 500;

export function checkpointEvent(checkpoint: StoredCheckpoint): CheckpointSignedV1 {
  const { eventId, ...data } = checkpoint;
  return {
    specversion: '1.0',
    id: eventId,
    source: '/keyway/audit',
    type: CHECKPOINT_EVENT_TYPES.signed,
    subject: `${checkpoint.workspaceId}/audit-chain`,
    time: checkpoint.signedAt,
    datacontenttype: 'application/json',
    workspaceid: checkpoint.workspaceId,
    sequence: checkpoint.sequence,
    actor: 'system',
    data,
  };
}

const toMessage = (checkpoint: StoredCheckpoint): OutgoingMessage => ({
  topic: TOPICS.auditCheckpoints,
  key: checkpoint.workspaceId,
  value: JSON.stringify(checkpointEvent(checkpoint)),
  headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
});

/**
 * Publishes stored checkpoints Kafka does not have yet, oldest first, at least once: a batch is
 * locked, sent, acknowledged, then marked in the same transaction. When Kafka is down nothing is
 * marked, and the next run sends it again; consumers drop duplicates by (subject, sequence).
 */
@Injectable()
export class CheckpointPublisher {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly checkpoints: CheckpointsRepository,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
  ) {}

  async publishPending(): Promise<number> {
    let published = 0;
    for (;;) {
      const sent = await this.dataSource.transaction(async (manager) => {
        const batch = await this.checkpoints.lockUnpublished(manager, BATCH);
        if (batch.length === 0) return 0;
        await this.publisher.send(batch.map(toMessage));
        await this.checkpoints.markPublished(manager, batch, this.clock.now());
        return batch.length;
      });
      published += sent;
      if (sent < BATCH) return published;
    }
  }
}
