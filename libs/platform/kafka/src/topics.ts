import { type Admin, type Kafka } from 'kafkajs';

/** What a topic must look like; structurally the same as the contracts' topic specs. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** null keeps messages for ever. */
  readonly retentionMs: number | null;
  readonly cleanupPolicy: 'delete' | 'compact';
}

/**
 * Creates the topics a service uses if they are missing, with the partitions and retention they
 * need. The broker never auto-creates topics (that races with the first subscribe on KRaft).
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  partitionsOverride?: number,
): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: partitionsOverride ?? spec.partitions,
        replicationFactor: -1, // the broker's default.replication.factor
        configEntries: [
          { name: 'retention.ms', value: String(spec.retentionMs ?? -1) },
          { name: 'cleanup.policy', value: spec.cleanupPolicy },
        ],
      })),
    });
  } catch (error) {
    // Another replica created them first.
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
  } finally {
    await admin.disconnect();
  }
}
