import { Module } from '@nestjs/common';
import { EventStoreModule } from '../event-store/event-store.module';
import { IdentitiesController } from './identities.controller';
import { IdentitiesRepository } from './identities.repository';
import { IdentitiesService } from './identities.service';
import { IdentityAggregate } from './identity-aggregate';
import { IdentityProjector } from './identity.projector';

/** Identities (external key owners): the aggregate, its read model, `/v1/identities` (delete: `tenancy/`). */
@Module({
  imports: [EventStoreModule],
  controllers: [IdentitiesController],
  providers: [IdentityAggregate, IdentityProjector, IdentitiesRepository, IdentitiesService],
  exports: [IdentityProjector, IdentitiesRepository, IdentitiesService],
})
export class IdentitiesModule {}
