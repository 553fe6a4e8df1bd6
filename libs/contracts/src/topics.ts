export const TOPICS = {
  keys: 'keyway.keys.v1',
  keysDlq: 'keyway.keys.v1.dlq',
  workspaces: 'keyway.workspaces.v1',
  workspacesDlq: 'keyway.workspaces.v1.dlq',
  usage: 'keyway.usage.v1',
  usageDlq: 'keyway.usage.v1.dlq',
  auditCheckpoints: 'keyway.audit-checkpoints.v1',
  auditAlerts: 'keyway.audit-alerts.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  readonly name: TopicName;
  readonly partitions: number;
  /** `null` keeps messages forever (Kafka `retention.ms=-1`). */
  readonly retentionMs: number | null;
  readonly cleanupPolicy: 'delete' | 'compact';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Topics that services create at boot. Key and workspace topics keep every event forever with
 * `delete` (not `compact`): compaction would drop all but a key's last event, and the gateway
 * rebuilds Redis by replaying the whole history. Audit's checkpoints are kept forever too: they
 * are the copy of each chain head outside audit's database.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPICS.keys, partitions: 6, retentionMs: null, cleanupPolicy: 'delete' },
  { name: TOPICS.workspaces, partitions: 6, retentionMs: null, cleanupPolicy: 'delete' },
  { name: TOPICS.usage, partitions: 6, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.keysDlq, partitions: 1, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.workspacesDlq, partitions: 1, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.usageDlq, partitions: 1, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.auditCheckpoints, partitions: 3, retentionMs: null, cleanupPolicy: 'delete' },
  { name: TOPICS.auditAlerts, partitions: 3, retentionMs: 90 * DAY_MS, cleanupPolicy: 'delete' },
];
