import { Inject, Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { CloudEventEnvelope, TOPICS } from '@keyway/contracts';
import {
  ConsumerService,
  EventPublisher,
  PoisonMessage,
  type ReceivedMessage,
} from '@keyway/platform-kafka';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { AuditTrailRepository } from './audit-trail.repository';

const DEAD_LETTER: Readonly<Record<string, string>> = {
  [TOPICS.keys]: TOPICS.keysDlq,
  [TOPICS.workspaces]: TOPICS.workspacesDlq,
};

/** Records every key, workspace and member event in the audit trail, committing after the insert. */
@Injectable()
export class AuditTrailConsumer extends ConsumerService {
  constructor(
    kafka: Kafka,
    publisher: EventPublisher,
    @Inject(AUDIT_CONFIG) config: AuditConfig,
    private readonly trail: AuditTrailRepository,
  ) {
    super(kafka, publisher, {
      groupId: `${config.kafka.groupId}-trail`,
      topics: [TOPICS.keys, TOPICS.workspaces],
      deadLetterTopic: (topic) => DEAD_LETTER[topic] ?? `${topic}.dlq`,
    });
  }

  async handle(message: ReceivedMessage): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(message.value);
    } catch {
      throw new PoisonMessage('value is not JSON');
    }
    const parsed = CloudEventEnvelope.safeParse(json);
    if (!parsed.success) throw new PoisonMessage('value is not a Keyway CloudEvent');
    const { workspaceid } = parsed.data;
    if (workspaceid === undefined) throw new PoisonMessage('event has no workspaceid');
    await this.trail.recordOnce({ ...parsed.data, workspaceid });
  }
}
