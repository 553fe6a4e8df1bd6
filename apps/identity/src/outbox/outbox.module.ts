import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/** Publishes the outbox to Kafka (needs the Kafka module; the server only, not the commands). */
@Module({ providers: [OutboxRepository, OutboxRelay], exports: [OutboxRelay] })
export class OutboxModule {}
