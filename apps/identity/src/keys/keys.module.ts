import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { ExpiryScheduler } from './expiry-scheduler';
import { IssueKey } from './issue-key';
import { KeyLifecycle } from './key-lifecycle';
import { KeyQueries } from './key-queries';
import { KeysController } from './keys.controller';

@Module({
  imports: [EventStoreModule, IdempotencyModule],
  controllers: [KeysController],
  providers: [IssueKey, KeyLifecycle, KeyQueries, WorkspaceDirectory],
  exports: [IssueKey, KeyLifecycle, WorkspaceDirectory],
})
export class KeysModule {}

/** Expires keys on time; only in the server, not in one-off commands. */
@Module({ imports: [EventStoreModule, IdempotencyModule], providers: [ExpiryScheduler] })
export class KeyExpiryModule {}
