import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { EventStoreModule } from '../event-store/event-store.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { IdentitiesModule } from '../identities/identities.module';
import { MembersModule } from '../members/members.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { BearerStrategy } from './bearer.strategy';
import { DeleteKey } from './delete-key';
import { ExpiryScheduler } from './expiry-scheduler';
import { IssueKey } from './issue-key';
import { KeyAggregate } from './key-aggregate';
import { KeyOwnership } from './key-ownership';
import { KeyPolicy } from './key-policy';
import { RevokeHandedOutKeys } from './revoke-handed-out-keys';
import { KeyProjector } from './key.projector';
import { KeyQueries } from './key-queries';
import { KeysController } from './keys.controller';
import { KeysRepository } from './keys.repository';
import { RevokeKey } from './revoke-key';
import { RotateKey } from './rotate-key';
import { UpdateKey } from './update-key';

/** Keys: the aggregate, its read model, `/v1/keys`, and bearer authentication with a key. */
@Module({
  imports: [
    EventStoreModule,
    MembersModule,
    IdentitiesModule,
    WorkspacesModule,
    PassportModule.register({ session: false }),
  ],
  controllers: [KeysController],
  providers: [
    KeyAggregate,
    KeyOwnership,
    KeyPolicy,
    KeyProjector,
    KeysRepository,
    KeyQueries,
    IssueKey,
    UpdateKey,
    RotateKey,
    RevokeKey,
    RevokeHandedOutKeys,
    DeleteKey,
    BearerStrategy,
  ],
  exports: [KeyAggregate, KeyProjector, KeysRepository, IssueKey, RevokeKey, RevokeHandedOutKeys],
})
export class KeysModule {}

/** Expires keys on time; only in the server, not in one-off commands. */
@Module({ imports: [KeysModule, IdempotencyModule], providers: [ExpiryScheduler] })
export class KeyExpiryModule {}
