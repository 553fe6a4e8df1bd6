import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { PeriodicTask } from '../periodic-task';
import { CheckpointPublisher } from './checkpoint-publisher';
import { CHECKPOINT_LOCK, CheckpointWriter } from './checkpoint-writer';

const HEADS_PER_TRANSACTION = 1_000;

/**
 * Every interval (and at boot), signs every workspace's head, also when nothing happened, and
 * publishes what Kafka does not have yet. One replica signs at a time (an advisory lock; the
 * others skip the round), so checkpoints are numbered without gaps.
 */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('checkpoints');
  private readonly task: PeriodicTask;

  constructor(
    @Inject(AUDIT_CONFIG) config: AuditConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly heads: ChainHeadsRepository,
    private readonly writer: CheckpointWriter,
    private readonly publisher: CheckpointPublisher,
  ) {
    this.task = new PeriodicTask('checkpoints', config.checkpoints.intervalMs, async () => {
      await this.round();
      return false;
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One round: sign, then publish; each failure is logged and retried next round. */
  async round(): Promise<void> {
    try {
      await this.checkpointAll();
    } catch (error) {
      this.logger.warn(`signing checkpoints failed, retrying next round: ${describe(error)}`);
    }
    try {
      await this.publisher.publishPending();
    } catch (error) {
      this.logger.warn(`publishing checkpoints failed, retrying next round: ${describe(error)}`);
    }
  }

  /** Signs every head; returns how many, or null when another replica is signing. */
  async checkpointAll(): Promise<number | null> {
    let signed = 0;
    let after: string | null = null;
    for (;;) {
      const page: number | null = await this.dataSource.transaction(async (manager) => {
        const [lock]: Array<{ locked: boolean }> = await manager.query(
          'SELECT pg_try_advisory_xact_lock($1) AS locked',
          [CHECKPOINT_LOCK],
        );
        if (lock?.locked !== true) return null;
        const heads = await this.heads.page(manager, after, HEADS_PER_TRANSACTION);
        await this.writer.sign(manager, heads);
        after = heads[heads.length - 1]?.workspaceId ?? after;
        return heads.length;
      });
      if (page === null) return signed === 0 ? null : signed;
      signed += page;
      if (page < HEADS_PER_TRANSACTION) return signed;
    }
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
