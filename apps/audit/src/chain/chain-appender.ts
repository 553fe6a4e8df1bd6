import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type AuditRecord, type UnhashedAuditRecord } from '@keyway/contracts';
import { recordHash } from '@keyway/audit-chain';
import { Clock } from '../clock';
import { AuditEventsRepository } from './audit-events.repository';
import { ChainHeadsRepository } from './chain-heads.repository';

/** What a caller appends: a record before the chain gives it its place and hashes. */
export type ChainEntry = Omit<UnhashedAuditRecord, 'position' | 'prevHash' | 'recordedAt'>;

/**
 * Appends records to workspace chains: the one way anything enters the trail. Each workspace's
 * head is locked for the transaction, so appends to a chain are serial and positions have no gaps.
 */
@Injectable()
export class ChainAppender {
  constructor(
    private readonly heads: ChainHeadsRepository,
    private readonly events: AuditEventsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends the entries, in order, within the caller's transaction. An entry whose
   * (subject, sequence) is already recorded (a redelivery) is skipped. Returns what was appended.
   */
  async append(manager: EntityManager, entries: readonly ChainEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    const heads = await this.heads.lockForAppend(
      manager,
      entries.map((entry) => entry.workspaceId),
    );
    const seen = await this.events.recordedOf(manager, entries);
    const recordedAt = this.clock.now().toISOString();
    const records: AuditRecord[] = [];
    for (const entry of entries) {
      const id = `${entry.subject}\n${entry.sequence}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const head = heads.get(entry.workspaceId);
      if (!head) throw new Error(`no chain head for ${entry.workspaceId}`);
      const unhashed: UnhashedAuditRecord = {
        ...entry,
        position: head.size + 1,
        prevHash: head.headHash,
        recordedAt,
      };
      const record: AuditRecord = { ...unhashed, hash: recordHash(unhashed) };
      head.size = record.position;
      head.headHash = record.hash;
      records.push(record);
    }
    await this.events.insert(manager, records);
    const moved = new Set(records.map((record) => record.workspaceId));
    await this.heads.advance(
      manager,
      [...heads.values()].filter((head) => moved.has(head.workspaceId)),
    );
    return records;
  }
}
