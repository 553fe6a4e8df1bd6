import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type SuppressionResource } from '@keyway/contracts';
import { ChainAppender } from '../chain/chain-appender';
import { Clock } from '../clock';
import { AlertError } from './alert.errors';
import { type CreateSuppressionCommand } from './dto';
import { newId } from './ids';
import { type RequestContext } from './request-context';
import { suppressionResource, suppressionRule } from './suppression-resource';
import { SuppressionsRepository } from './suppressions.repository';

export const SUPPRESSION_CREATED = 'keyway.alert-suppression.created.v1';

/** Creates a suppression and appends `keyway.alert-suppression.created.v1` to the trail, at once. */
@Injectable()
export class CreateSuppression {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly suppressions: SuppressionsRepository,
    private readonly appender: ChainAppender,
    private readonly clock: Clock,
  ) {}

  async execute(
    context: RequestContext,
    command: CreateSuppressionCommand,
  ): Promise<SuppressionResource> {
    const now = this.clock.now();
    const endsAt = command.endsAt === undefined ? null : new Date(command.endsAt);
    if (endsAt !== null && endsAt <= now) throw AlertError.endsInPast();
    return this.dataSource.transaction(async (manager) => {
      const created = await this.suppressions.insert(manager, {
        id: newId('sup', now),
        workspaceId: context.workspaceId,
        keyId: command.keyId ?? null,
        cidr: command.cidr ?? null,
        kind: command.kind ?? null,
        endsAt,
        reason: command.reason,
        createdAt: now,
        createdBy: context.actor,
        deletedAt: null,
        deletedBy: null,
      });
      await this.appender.append(manager, [
        {
          workspaceId: context.workspaceId,
          id: randomUUID(),
          type: SUPPRESSION_CREATED,
          subject: created.id,
          sequence: 1,
          time: now.toISOString(),
          actor: context.actor,
          clientAddress: context.clientAddress,
          userAgent: context.userAgent,
          correlationId: context.correlationId,
          keyId: created.keyId,
          before: null,
          after: suppressionRule(created),
        },
      ]);
      return suppressionResource(created);
    });
  }
}
