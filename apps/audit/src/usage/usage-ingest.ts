import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type UsageAggregatedV1 } from '@keyway/contracts';
import { type IngestedUsage } from './ingested-usage';
import { KeyActivityRepository } from './key-activity.repository';
import { KeyAddressesRepository } from './key-addresses.repository';
import {
  activityAdditions,
  addressAdditions,
  countsRecord,
  isKeyed,
  newAddressesByWindow,
  rollupAdditions,
  windowRows,
} from './usage-aggregation';
import {
  usageWindowsRecorded,
  usageWindowsRedelivered,
  usageWindowsWithoutKey,
} from './usage-metrics';
import { UsageRollupsRepository } from './usage-rollups.repository';
import { UsageWindowsRepository, windowId } from './usage-windows.repository';

/**
 * Records a batch of usage events in the caller's transaction, with one statement per table:
 * the windows not seen before, then what only they add to the rollups, the keys' activity and
 * addresses. A redelivered window adds nothing. Rows are written in primary-key order, so that
 * batches of several partitions applied concurrently never deadlock.
 */
@Injectable()
export class UsageIngest {
  constructor(
    private readonly windows: UsageWindowsRepository,
    private readonly rollups: UsageRollupsRepository,
    private readonly activity: KeyActivityRepository,
    private readonly addresses: KeyAddressesRepository,
  ) {}

  /** The windows of known keys this call recorded (none for redeliveries), for the detectors. */
  async apply(manager: EntityManager, events: UsageAggregatedV1[]): Promise<IngestedUsage[]> {
    const rows = windowRows(events);
    const inserted = await this.windows.insertNew(manager, rows);
    const fresh = rows.filter((row) => inserted.has(windowId(row.stream, row.sequence)));
    const keyed = fresh.filter(isKeyed);
    usageWindowsRedelivered.inc(events.length - fresh.length);
    usageWindowsWithoutKey.inc(fresh.length - keyed.length);
    usageWindowsRecorded.inc(keyed.length);
    if (keyed.length === 0) return [];

    await this.rollups.add(manager, rollupAdditions(keyed));
    await this.activity.add(manager, activityAdditions(keyed));
    const newAddresses = await this.addresses.add(manager, addressAdditions(keyed));
    const byWindow = newAddressesByWindow(keyed, (keyId, address) =>
      newAddresses.has(`${keyId}\u0000${address}`),
    );
    return keyed.map((row) => ({
      workspaceId: row.workspaceId,
      keyId: row.keyId,
      windowStart: new Date(row.windowStart),
      windowEnd: new Date(row.windowEnd),
      firstSeenAt: new Date(row.firstSeenAt),
      lastSeenAt: new Date(row.lastSeenAt),
      counts: countsRecord(row.counts),
      clientAddresses: row.clientAddresses,
      newAddresses: byWindow.get(row) ?? [],
    }));
  }
}
