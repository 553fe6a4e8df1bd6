export {
  BatchConsumer,
  type BatchConsumerOptions,
  type BatchMessage,
  type DecodedBatch,
} from './batch-consumer';
export {
  batchStep,
  decideBatch,
  markRecord,
  messageMark,
  resumeOffset,
  storedProgress,
  viewOf,
  type BatchStep,
  type BatchView,
  type MemberView,
  type StoredProgress,
} from './batch-step';
export { PoisonMessage } from './poison-message';
export { ProgressMoved } from './progress-moved';
export { startRetrying } from './start-retrying';
export { EventPublisher, type OutgoingMessage } from './event-publisher';
export { createKafka, type KafkaClientOptions } from './kafka-client';
export { KafkaHealth } from './kafka-health';
export { kafkaMetrics } from './kafka-metrics';
export { KafkaModule, type KafkaModuleOptions } from './kafka.module';
export { ensureTopics, type TopicSpec } from './topics';
export {
  partitionBounds,
  boundsOfPartition,
  recreatedPartitions,
  reportRewind,
  type PartitionBounds,
  type RecreatedPartition,
} from './partition-end';
