import { Global, Module } from '@nestjs/common';
import { Clock } from '../clock';
import { AuditEventsRepository } from './audit-events.repository';
import { ChainAppender } from './chain-appender';
import { ChainHeadsRepository } from './chain-heads.repository';

/** The chain every feature appends to and reads from. */
@Global()
@Module({
  providers: [Clock, AuditEventsRepository, ChainHeadsRepository, ChainAppender],
  exports: [Clock, AuditEventsRepository, ChainHeadsRepository, ChainAppender],
})
export class ChainModule {}
