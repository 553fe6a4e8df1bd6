export {
  BatchConsumer,
  type BatchConsumerOptions,
  type BatchMessage,
  type DecodedBatch,
} from './batch-consumer';
export { markRecord, messageMark, storedProgress, type StoredProgress } from './batch-step';
export { OwnedPartitions } from './owned-partitions';
export { PoisonMessage } from './poison-message';
export { ProgressMoved } from './progress-moved';
export { startRetrying } from './start-retrying';
export { EventPublisher, type OutgoingMessage } from './event-publisher';
export { createKafka, type KafkaClientOptions } from './kafka-client';
export { KafkaHealth } from './kafka-health';
export { kafkaMetrics } from './kafka-metrics';
export { KafkaModule, type KafkaModuleOptions } from './kafka.module';
export { ensureTopics, type TopicSpec } from './topics';
