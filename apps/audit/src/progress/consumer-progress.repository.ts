import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  type DecodedBatch,
  markRecord,
  ProgressMoved,
  type StoredProgress,
  storedProgress,
} from '@keyway/platform-kafka';

/**
 * `audit_consumer_progress`: the next offset each consumer group applies per partition, and the
 * mark of the message before it, written in the same transaction as what was applied
 * (libs/platform/kafka `BatchConsumer`).
 */
@Injectable()
export class ConsumerProgressRepository {
  async find(
    manager: EntityManager,
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<StoredProgress | null> {
    const rows: Array<{ next_offset: string; last_mark: string | null }> = await manager.query(
      `SELECT next_offset, last_mark FROM audit_consumer_progress
        WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [groupId, topic, partition],
    );
    const row = rows[0];
    return row ? storedProgress(BigInt(row.next_offset), row.last_mark) : null;
  }

  /**
   * Locks the batch's partition until the transaction ends (its row created at 0 when new), so a
   * second member applying it during a rebalance waits for the first; then checks that its
   * progress is the one the batch was decided on, or throws `ProgressMoved` (another member
   * applied it or set it back meanwhile).
   */
  async lock(
    manager: EntityManager,
    groupId: string,
    batch: Pick<DecodedBatch<unknown>, 'topic' | 'partition' | 'expected'>,
  ): Promise<void> {
    const rows: Array<{ next_offset: string }> = await manager.query(
      `INSERT INTO audit_consumer_progress (group_id, topic, partition, next_offset)
       VALUES ($1, $2, $3, 0)
       ON CONFLICT (group_id, topic, partition)
         DO UPDATE SET next_offset = audit_consumer_progress.next_offset
       RETURNING next_offset`,
      [groupId, batch.topic, batch.partition],
    );
    const stored = BigInt(rows[0]?.next_offset ?? 0);
    if (stored !== batch.expected) {
      throw new ProgressMoved(`${batch.topic}:${batch.partition}`, batch.expected, stored);
    }
  }

  /** Records the batch's next offset and mark as the partition's progress. */
  async advance(
    manager: EntityManager,
    groupId: string,
    batch: Pick<DecodedBatch<unknown>, 'topic' | 'partition' | 'nextOffset' | 'mark'>,
  ): Promise<void> {
    const { topic, partition, nextOffset, mark } = batch;
    await manager.query(
      `UPDATE audit_consumer_progress SET next_offset = $4, last_mark = $5
        WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [groupId, topic, partition, nextOffset.toString(), markRecord({ next: nextOffset, mark })],
    );
  }

  /**
   * Sets the progress back from `from` to `nextOffset` (a recreated partition), mark unknown, if
   * it is still `from`; returns whether it did.
   */
  async rewind(
    manager: EntityManager,
    groupId: string,
    topic: string,
    partition: number,
    from: bigint,
    nextOffset: bigint,
  ): Promise<boolean> {
    const [, changed]: [unknown, number] = await manager.query(
      `UPDATE audit_consumer_progress SET next_offset = $5, last_mark = NULL
        WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $4`,
      [groupId, topic, partition, from.toString(), nextOffset.toString()],
    );
    return changed > 0;
  }
}
