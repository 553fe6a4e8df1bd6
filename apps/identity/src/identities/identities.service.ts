import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type IdentityList, type IdentityResource, withWindowMs } from '@keyway/contracts';
import { Clock } from '../clock';
import { type EventContext } from '../event-store/event-store';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { newId } from '../ids';
import { type ListIdentitiesFilter, type PutIdentityCommand } from './dto/identity.dto';
import { IdentitiesRepository } from './identities.repository';
import { IdentityAggregate } from './identity-aggregate';
import { type IdentitySettings } from './identity.decide';
import { IdentityError, IdentityErrorCode } from './identity.errors';
import { identityResource } from './identity-resource';

/**
 * Creating, replacing and reading identities. A deleted identity's keys are revoked with it:
 * `tenancy/delete-identity.ts` runs both in one transaction.
 */
@Injectable()
export class IdentitiesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly aggregate: IdentityAggregate,
    private readonly identities: IdentitiesRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * `PUT /v1/identities/{externalId}`: creates the identity (`created`) or replaces its scopes,
   * metadata and shared limits (recording only what changed, or nothing).
   */
  async put(
    workspaceId: string,
    externalId: string,
    body: PutIdentityCommand,
    context: EventContext,
  ): Promise<{ created: boolean; identity: IdentityResource }> {
    const settings: IdentitySettings = {
      scopes: [...new Set(body.scopes)],
      metadata: body.metadata,
      rateLimits: withWindowMs(body.rateLimits),
    };
    return this.dataSource.transaction(async (tx) => {
      await this.identities.lockExternalId(tx, workspaceId, externalId);
      const current = await this.identities.findActive(workspaceId, externalId, tx);
      if (current === null) {
        const identityId = newId('idt', this.clock.now());
        const { state } = await this.aggregate.execute(
          {
            workspaceId,
            identityId,
            command: { kind: 'create', identityId, externalId, settings },
            context,
            isNew: true,
          },
          tx,
        );
        return { created: true, identity: identityResource(state) };
      }
      const { state } = await this.aggregate.execute(
        {
          workspaceId,
          identityId: current.identityId,
          command: { kind: 'replace', settings },
          context,
        },
        tx,
      );
      return { created: false, identity: identityResource(state) };
    });
  }

  /** Deletes the live identity with this external id, in `tx`; the caller revokes its keys. */
  async delete(
    workspaceId: string,
    externalId: string,
    context: EventContext,
    tx: EntityManager,
  ): Promise<void> {
    await this.identities.lockExternalId(tx, workspaceId, externalId);
    const current = await this.identities.findActive(workspaceId, externalId, tx);
    if (current === null) throw IdentityError.notFound();
    await this.aggregate.execute(
      { workspaceId, identityId: current.identityId, command: { kind: 'delete' }, context },
      tx,
    );
  }

  async get(workspaceId: string, externalId: string): Promise<IdentityResource> {
    return identityResource(await this.identities.findActive(workspaceId, externalId));
  }

  async list(workspaceId: string, filter: ListIdentitiesFilter): Promise<IdentityList> {
    let after: { createdAt: string; id: string } | undefined;
    if (filter.cursor) {
      after = decodeCursor(filter.cursor) ?? undefined;
      if (after === undefined) {
        throw new IdentityError(
          IdentityErrorCode.INVALID_IDENTITY_CURSOR,
          'cursor is not one this API returned',
          { field: 'cursor' },
        );
      }
    }
    const rows = await this.identities.list(workspaceId, { after, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit).map(identityResource);
    const last = page[page.length - 1];
    return {
      data: page,
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}
