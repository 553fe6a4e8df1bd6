import { Inject, Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { ContractViolation, TOPICS, parseKeyEvent } from '@keyway/contracts';
import {
  ConsumerService,
  EventPublisher,
  PoisonMessage,
  type ReceivedMessage,
} from '@keyway/platform-kafka';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { KeyProjectionStore } from './key-projection.store';
import { projectKeyEvent } from './projected-key';

/**
 * Projects `keyway.keys.v1` into Redis. Idempotent by (subject, sequence): an event at or below
 * the key's applied sequence is a redelivery and is skipped.
 */
@Injectable()
export class KeyProjectionConsumer extends ConsumerService {
  constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly store: KeyProjectionStore,
  ) {
    super(kafka, publisher, {
      groupId: `${config.kafka.groupId}-keys`,
      topics: [TOPICS.keys],
      deadLetterTopic: () => TOPICS.keysDlq,
    });
  }

  async handle(message: ReceivedMessage): Promise<void> {
    let event;
    try {
      event = parseKeyEvent(message.value);
    } catch (error) {
      if (error instanceof ContractViolation) throw new PoisonMessage(error.message);
      throw error;
    }
    const applied = await this.store.appliedSequence(event.subject);
    if (event.sequence <= applied) return; // a redelivery
    const previous = await this.store.get(event.subject);
    const next = projectKeyEvent(previous, event);
    if (next === null) {
      throw new PoisonMessage(`${event.type} for ${event.subject} before its key.issued`);
    }
    if (event.sequence !== applied + 1) {
      this.logger.warn(
        `${event.subject}: sequence ${event.sequence} follows ${applied}; events are missing`,
      );
    }
    await this.store.save(previous, next);
  }
}
