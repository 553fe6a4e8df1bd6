import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { IssueKey } from './issue-key';
import { KeysController } from './keys.controller';

@Module({
  imports: [EventStoreModule],
  controllers: [KeysController],
  providers: [IssueKey],
  exports: [IssueKey],
})
export class KeysModule {}
