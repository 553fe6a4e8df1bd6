import { Injectable } from '@nestjs/common';
import { type KeyActivityResponse } from '@keyway/contracts';
import { type Caller } from '../auth/caller';
import { AuditKeysReportsRepository } from './audit-keys-reports.repository';
import { type KeyActivityFilter } from './dto/usage.dto';
import { KeyActivityRepository } from './key-activity.repository';
import { type AddressPosition, KeyAddressesRepository } from './key-addresses.repository';
import { countsTotal, outcomeCounts } from './usage-counts';
import { decodeCursor, encodeCursor, isInstant } from '../cursor';
import { isAddress } from './usage-cursor';
import { UsageError } from './usage.errors';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** `GET /v1/keys/{id}/activity`: last used and seen, totals, and the addresses it came from. */
@Injectable()
export class KeyActivityView {
  constructor(
    private readonly keys: AuditKeysReportsRepository,
    private readonly activity: KeyActivityRepository,
    private readonly addresses: KeyAddressesRepository,
  ) {}

  async execute(
    caller: Caller,
    keyId: string,
    query: KeyActivityFilter,
  ): Promise<KeyActivityResponse> {
    let after: AddressPosition | null = null;
    if (query.addressCursor !== undefined) {
      const position = decodeCursor<[string, string]>(query.addressCursor, [isInstant, isAddress]);
      if (position === null) throw UsageError.invalidCursor('addressCursor');
      after = { lastSeenAt: position[0], address: position[1] };
    }
    const activity = await this.activity.findOfKey(caller.workspaceId, keyId);
    if (activity === null && !(await this.keys.isKnownInWorkspace(caller.workspaceId, keyId))) {
      throw UsageError.keyNotFound(keyId);
    }
    const [page, total] = await Promise.all([
      activity === null
        ? []
        : this.addresses.pageOfKey(caller.workspaceId, keyId, after, query.addressLimit + 1),
      activity === null ? 0 : this.addresses.countOfKey(caller.workspaceId, keyId),
    ]);
    const shown = page.slice(0, query.addressLimit);
    const last = shown[shown.length - 1];
    const totals = outcomeCounts(activity);
    return {
      keyId,
      firstSeenAt: iso(activity?.first_seen_at ?? null),
      lastSeenAt: iso(activity?.last_seen_at ?? null),
      lastUsedAt: iso(activity?.last_used_at ?? null),
      totals,
      total: countsTotal(totals),
      addresses: {
        total,
        data: shown.map((row) => ({
          address: row.address,
          firstSeenAt: row.first_seen_at.toISOString(),
          lastSeenAt: row.last_seen_at.toISOString(),
          windows: Number(row.windows),
        })),
        nextCursor:
          page.length > query.addressLimit && last !== undefined
            ? encodeCursor([last.last_seen_at.toISOString(), last.address])
            : null,
      },
    };
  }
}
