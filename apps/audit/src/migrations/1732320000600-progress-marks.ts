import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The mark of the message just before each partition's progress (`messageMark`): the consumer
 * compares it when it reads the partition again, to tell a recreated partition from its own.
 */
export class ProgressMarks1732320000600 implements MigrationInterface {
  name = 'ProgressMarks1732320000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_consumer_progress ADD COLUMN last_mark text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_consumer_progress DROP COLUMN last_mark`);
  }
}
