import { type Admin, type Batch, type Consumer } from 'kafkajs';
import { decideBatch, resumeOffset, type StoredProgress } from './batch-step';
import { boundsOfPartition, recreatedPartitions, reportRewind } from './partition-end';

/** Where a consumer keeps its progress (Redis for the gateway, Postgres for audit). */
export interface ProgressStore {
  /** The progress of a partition; `{ next: 0n, mark: null }` when there is none. */
  read(topic: string, partition: number): Promise<StoredProgress>;
  /**
   * Sets the progress back from `from` to `to`, forgetting its mark, if it is still `from`;
   * returns whether it did.
   */
  rewind(topic: string, partition: number, from: bigint, to: bigint): Promise<boolean>;
}

type Logger = { warn(message: string): void; error(message: string): void };
type Retrying = <R>(work: () => Promise<R>) => Promise<R>;

/**
 * What a consumer group member knows of the partitions it owns, and how it moves on them: where
 * the store stands, where it last sought, whether the message before the progress was compared
 * since (`batchStep`). Shared by the gateway's projection and `BatchConsumer`, which keep their
 * progress in different stores.
 */
export class OwnedPartitions {
  private owned: ReadonlyArray<{ topic: string; partition: number }> = [];
  private readonly progress = new Map<string, StoredProgress>();
  private readonly sought = new Map<string, bigint>();
  private readonly verified = new Set<string>();

  constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly store: ProgressStore,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {}

  get assigned(): ReadonlyArray<{ topic: string; partition: number }> {
    return this.owned;
  }

  /** A join: the partitions now owned, nothing known of them yet. */
  joined(assignment: Record<string, number[]>): void {
    this.owned = Object.entries(assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    this.progress.clear();
    this.sought.clear();
    this.verified.clear();
  }

  /** Where the store stands on a partition, as this member last read or wrote it. */
  known(topic: string, partition: number): StoredProgress | undefined {
    return this.progress.get(`${topic}:${partition}`);
  }

  /** Records where the store stands now (this member wrote it, or found it there). */
  stands(topic: string, partition: number, progress: StoredProgress): void {
    this.progress.set(`${topic}:${partition}`, progress);
  }

  /**
   * Decides a batch (`decideBatch`): returns the store's progress and the offset to apply from,
   * or null when the batch is not to be applied (the partition is read from elsewhere first, or
   * was recreated and is set back). Store and broker calls go through `retrying`.
   */
  async decide(
    batch: Pick<Batch, 'topic' | 'partition' | 'highWatermark' | 'messages'>,
    retrying: Retrying,
  ): Promise<{ progress: StoredProgress; from: bigint } | null> {
    const { topic, partition } = batch;
    const id = `${topic}:${partition}`;
    const progress =
      this.progress.get(id) ?? (await retrying(() => this.store.read(topic, partition)));
    const bounds = () => retrying(() => boundsOfPartition(this.admin, topic, partition));
    const member = { sought: this.sought.get(id), verified: this.verified.has(id) };
    const decided = await decideBatch(progress, batch, member, bounds);
    if (decided.step.kind === 'recreated') {
      // The partition ends before what the store has applied, or holds another message just
      // before it: a new partition under the old name (Kafka lost its data, or the topic was
      // recreated), whose offsets start again. Skipping to the old progress would drop what was
      // published since, revocations included: read it from its start (what the store already
      // holds is the app's to skip, by sequence).
      const { low, high } = decided.bounds ?? (await bounds());
      await retrying(() => this.rewind(topic, partition, progress.next, high, low));
      return null;
    }
    if (decided.step.kind === 'seek') {
      // The store is behind what Kafka hands us, or the message before its progress is to be
      // compared first: read from there.
      this.seek(topic, partition, decided.step.to);
      return null;
    }
    this.verified.add(id);
    const from = decided.step.from;
    if (from > progress.next) {
      this.logger.warn(
        `${id}: offsets ${progress.next}..${from - 1n} are gone from Kafka; continuing at ${from}`,
      );
    }
    return { progress, from };
  }

  /** Reads the partition from `offset` on (the batches in hand become stale). */
  seek(topic: string, partition: number, offset: bigint): void {
    const id = `${topic}:${partition}`;
    this.consumer.seek({ topic, partition, offset: String(offset) });
    this.sought.set(id, offset);
    this.verified.delete(id);
  }

  /**
   * After a join: each owned partition is read from the message before its progress (whose mark
   * the first batch compares), then those that end before their progress are set back.
   */
  async seekToProgress(): Promise<void> {
    for (const { topic, partition } of this.owned) {
      const progress = await this.store.read(topic, partition);
      if (this.progress.has(`${topic}:${partition}`)) continue; // a batch got there first
      this.seek(topic, partition, resumeOffset(progress));
      this.stands(topic, partition, progress);
    }
    await this.rewindRecreated();
  }

  /**
   * Sets back the progress of each owned partition that ends before it (recreated, and empty or
   * quiet since, so no batch showed it) to where the partition starts, and reads from there.
   */
  async rewindRecreated(): Promise<void> {
    const progressOf = async (topic: string, partition: number) =>
      (await this.store.read(topic, partition)).next;
    for (const found of await recreatedPartitions(this.admin, this.owned, progressOf)) {
      const { topic, partition, applied, low, high } = found;
      await this.rewind(topic, partition, applied, high, low);
    }
  }

  /**
   * Sets a recreated partition's progress back from `applied` to `to` (logged and counted) and
   * reads it from there. If the store moved meanwhile (another member applied a batch), nothing is
   * changed and the next batch asks the store again.
   */
  private async rewind(
    topic: string,
    partition: number,
    applied: bigint,
    end: bigint,
    to: bigint,
  ): Promise<void> {
    if (!(await this.store.rewind(topic, partition, applied, to))) {
      this.progress.delete(`${topic}:${partition}`);
      return;
    }
    reportRewind(this.logger, this.groupId, { topic, partition, applied, end, to });
    this.stands(topic, partition, { next: to, mark: null });
    this.seek(topic, partition, to);
  }

  /** Forgets where the store stands on a partition: the next batch reads it again. */
  forget(topic: string, partition: number): void {
    this.progress.delete(`${topic}:${partition}`);
  }
}
