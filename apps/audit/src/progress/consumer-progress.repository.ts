import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/**
 * `audit_consumer_progress`: the next offset each consumer group applies per partition, written
 * in the same transaction as what was applied (libs/platform/kafka `BatchConsumer`).
 */
@Injectable()
export class ConsumerProgressRepository {
  async find(
    manager: EntityManager,
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<bigint | null> {
    const rows: Array<{ next_offset: string }> = await manager.query(
      `SELECT next_offset FROM audit_consumer_progress
        WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [groupId, topic, partition],
    );
    return rows[0] ? BigInt(rows[0].next_offset) : null;
  }

  /**
   * The partition's progress, locked until the transaction ends (created at 0 when new): a
   * second member applying the same partition during a rebalance waits, then sees what the
   * first applied.
   */
  async lock(
    manager: EntityManager,
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<bigint> {
    const rows: Array<{ next_offset: string }> = await manager.query(
      `INSERT INTO audit_consumer_progress (group_id, topic, partition, next_offset)
       VALUES ($1, $2, $3, 0)
       ON CONFLICT (group_id, topic, partition)
         DO UPDATE SET next_offset = audit_consumer_progress.next_offset
       RETURNING next_offset`,
      [groupId, topic, partition],
    );
    return BigInt(rows[0]?.next_offset ?? 0);
  }

  async advance(
    manager: EntityManager,
    groupId: string,
    topic: string,
    partition: number,
    nextOffset: bigint,
  ): Promise<void> {
    await manager.query(
      `UPDATE audit_consumer_progress SET next_offset = $4
        WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [groupId, topic, partition, nextOffset.toString()],
    );
  }

  /** Sets the progress back to `nextOffset` (a recreated partition); never forward. */
  async rewind(
    manager: EntityManager,
    groupId: string,
    topic: string,
    partition: number,
    nextOffset: bigint,
  ): Promise<void> {
    await manager.query(
      `UPDATE audit_consumer_progress SET next_offset = $4
        WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset > $4`,
      [groupId, topic, partition, nextOffset.toString()],
    );
  }
}
