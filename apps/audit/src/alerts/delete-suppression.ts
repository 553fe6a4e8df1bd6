import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type SuppressionResource } from '@keyway/contracts';
import { ChainAppender } from '../chain/chain-appender';
import { Clock } from '../clock';
import { AlertError } from './alert.errors';
import { type RequestContext } from './request-context';
import { suppressionResource, suppressionRule } from './suppression-resource';
import { SuppressionsRepository } from './suppressions.repository';

export const SUPPRESSION_DELETED = 'keyway.alert-suppression.deleted.v1';

/** Ends a suppression and appends `keyway.alert-suppression.deleted.v1` to the trail, at once. */
@Injectable()
export class DeleteSuppression {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly suppressions: SuppressionsRepository,
    private readonly appender: ChainAppender,
    private readonly clock: Clock,
  ) {}

  async execute(context: RequestContext, id: string): Promise<SuppressionResource> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const deleted = await this.suppressions.markDeleted(
        manager,
        context.workspaceId,
        id,
        now,
        context.actor,
      );
      if (deleted === null) throw AlertError.suppressionNotFound();
      await this.appender.append(manager, [
        {
          workspaceId: context.workspaceId,
          id: randomUUID(),
          type: SUPPRESSION_DELETED,
          subject: deleted.id,
          sequence: 2,
          time: now.toISOString(),
          actor: context.actor,
          clientAddress: context.clientAddress,
          userAgent: context.userAgent,
          correlationId: context.correlationId,
          keyId: deleted.keyId,
          before: suppressionRule(deleted),
          after: null,
        },
      ]);
      return suppressionResource(deleted);
    });
  }
}
