import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type EventContext } from '../event-store/event-store';
import { IdentitiesService } from '../identities/identities.service';
import { RevokeKey } from '../keys/revoke-key';

/**
 * Deletes an identity and revokes every key it owns, in one transaction: one
 * `keyway.identity.deleted.v1` and a `keyway.key.revoked.v1` per active key.
 */
@Injectable()
export class DeleteIdentity {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly identities: IdentitiesService,
    private readonly revokeKey: RevokeKey,
  ) {}

  async execute(workspaceId: string, externalId: string, context: EventContext): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.identities.delete(workspaceId, externalId, context, tx);
      await this.revokeKey.allOwnedBy(tx, workspaceId, externalId, context, 'identity deleted');
    });
  }
}
