import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type RetentionResource } from '@keyway/contracts';
import { ChainAppender } from '../chain/chain-appender';
import { Clock } from '../clock';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { IntegrityError } from './integrity.errors';
import { RetentionRepository } from './retention.repository';

/** The type of the trail record a retention change appends. */
export const RETENTION_CHANGED = 'keyway.audit-retention.changed.v1';

/** Where a change comes from, for its trail record. */
export interface ChangeContext {
  readonly keyId: string;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

/** A workspace's retention: read it, and change it (the change goes on the trail). */
@Injectable()
export class RetentionService {
  constructor(
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly retention: RetentionRepository,
    private readonly appender: ChainAppender,
    private readonly clock: Clock,
  ) {}

  async get(workspaceId: string): Promise<RetentionResource> {
    const stored = await this.retention.find(this.dataSource.manager, workspaceId);
    return {
      workspaceId,
      days: stored?.days ?? this.config.retention.defaultDays,
      isDefault: stored === null,
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  /** Sets the retention; an unchanged value changes nothing and records nothing. */
  async set(workspaceId: string, days: number, context: ChangeContext): Promise<RetentionResource> {
    const { minDays } = this.config.retention;
    if (days < minDays) throw IntegrityError.retentionTooShort(minDays);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `audit-retention:${workspaceId}`,
      ]);
      const before = await this.retention.find(manager, workspaceId);
      const now = this.clock.now();
      if (before?.days === days) {
        return { workspaceId, days, isDefault: false, updatedAt: before.updatedAt };
      }
      const sequence = await this.retention.set(manager, workspaceId, days, now);
      await this.appender.append(manager, [
        {
          workspaceId,
          id: randomUUID(),
          type: RETENTION_CHANGED,
          subject: `${workspaceId}/audit-retention`,
          sequence,
          time: now.toISOString(),
          actor: `key:${context.keyId}`,
          clientAddress: context.clientAddress,
          userAgent: context.userAgent,
          correlationId: context.requestId,
          keyId: null,
          before: { days: before?.days ?? this.config.retention.defaultDays },
          after: { days },
        },
      ]);
      return { workspaceId, days, isDefault: false, updatedAt: now.toISOString() };
    });
  }
}
