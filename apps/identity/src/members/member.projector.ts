import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type RecordedEvent } from '../event-store/event-store';
import { evolveMember, isMemberEvent } from './member.decide';
import { MembersRepository } from './members.repository';

/**
 * Keeps the `members` read model in step with the member's events, with the `evolve` the
 * decisions use. Runs in the transaction that appends (and in `ProjectionRebuild`).
 */
@Injectable()
export class MemberProjector {
  constructor(private readonly members: MembersRepository) {}

  async apply(tx: EntityManager, event: RecordedEvent): Promise<void> {
    if (!isMemberEvent(event)) return;
    const current = event.sequence === 1 ? null : await this.members.findById(tx, event.subject);
    const member = evolveMember(current, event);
    if (member !== null) await this.members.save(tx, member);
  }
}
