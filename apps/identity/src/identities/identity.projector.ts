import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type RecordedEvent } from '../event-store/event-store';
import { evolveIdentity, isIdentityEvent } from './identity.decide';
import { IdentitiesRepository } from './identities.repository';

/**
 * Keeps the `identities` read model in step with the identity's events, with the `evolve` the
 * decisions use. Runs in the transaction that appends (and in `ProjectionRebuild`).
 */
@Injectable()
export class IdentityProjector {
  constructor(private readonly identities: IdentitiesRepository) {}

  async apply(tx: EntityManager, event: RecordedEvent): Promise<void> {
    if (!isIdentityEvent(event)) return;
    const current = event.sequence === 1 ? null : await this.identities.findById(tx, event.subject);
    const identity = evolveIdentity(current, event);
    if (identity !== null) await this.identities.save(tx, identity);
  }
}
