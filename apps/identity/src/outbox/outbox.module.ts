import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay';

/** Publishes the outbox to Kafka (needs the Kafka module). */
@Module({ providers: [OutboxRelay], exports: [OutboxRelay] })
export class OutboxModule {}
