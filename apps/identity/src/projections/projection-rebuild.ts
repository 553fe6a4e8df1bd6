import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { EventStore } from '../event-store/event-store';
import { IdentitiesRepository } from '../identities/identities.repository';
import { IdentityProjector } from '../identities/identity.projector';
import { KeyProjector } from '../keys/key.projector';
import { KeysRepository } from '../keys/keys.repository';
import { MemberProjector } from '../members/member.projector';
import { MembersRepository } from '../members/members.repository';
import { WorkspaceProjector } from '../workspaces/workspace.projector';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';

/**
 * Rebuilds the read models (`keys`, `identities`, `members`, `workspaces`) from the event store: empties them
 * and replays every event in commit order through each aggregate's projector, in one transaction
 * (writers wait; readers see old or new, never half).
 */
@Injectable()
export class ProjectionRebuild {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly keys: KeysRepository,
    private readonly identities: IdentitiesRepository,
    private readonly members: MembersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly keyProjector: KeyProjector,
    private readonly identityProjector: IdentityProjector,
    private readonly memberProjector: MemberProjector,
    private readonly workspaceProjector: WorkspaceProjector,
  ) {}

  async rebuild(): Promise<{ events: number }> {
    return this.dataSource.transaction(async (tx) => {
      // In this order: identities and members refer to workspaces.
      await this.keys.lockAndClear(tx);
      await this.identities.lockAndClear(tx);
      await this.members.lockAndClear(tx);
      await this.workspaces.lockAndClear(tx);
      const projectors = [
        this.workspaceProjector,
        this.memberProjector,
        this.identityProjector,
        this.keyProjector,
      ];
      let events = 0;
      for await (const page of this.store.all(tx)) {
        for (const event of page) {
          for (const projector of projectors) await projector.apply(tx, event);
        }
        events += page.length;
      }
      return { events };
    });
  }
}
