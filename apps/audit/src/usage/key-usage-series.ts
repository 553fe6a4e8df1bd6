import { Injectable } from '@nestjs/common';
import { type KeyUsageResponse, VERIFICATION_CODES } from '@keyway/contracts';
import { type Caller } from '../auth/caller';
import { Clock } from '../clock';
import { AuditKeysReportsRepository } from './audit-keys-reports.repository';
import { bucketMs } from './usage-aggregation';
import { countsTotal, emptyCounts, outcomeCounts } from './usage-counts';
import { usageRange } from './usage-range';
import { UsageRollupsRepository } from './usage-rollups.repository';
import { UsageError } from './usage.errors';
import { type KeyUsageFilter } from './dto/usage.dto';

/** `GET /v1/keys/{id}/usage`: a key's counts by outcome per bucket, every bucket listed. */
@Injectable()
export class KeyUsageSeries {
  constructor(
    private readonly keys: AuditKeysReportsRepository,
    private readonly rollups: UsageRollupsRepository,
    private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, keyId: string, query: KeyUsageFilter): Promise<KeyUsageResponse> {
    const range = usageRange(query.granularity, query.from, query.to, this.clock.now());
    if (!(await this.keys.isKnownInWorkspace(caller.workspaceId, keyId))) {
      throw UsageError.keyNotFound(keyId);
    }
    const rows = await this.rollups.seriesOfKey(
      caller.workspaceId,
      keyId,
      range.granularity,
      new Date(range.from),
      new Date(range.to),
    );
    const byStart = new Map(rows.map((row) => [row.bucket_start.getTime(), outcomeCounts(row)]));
    const totals = emptyCounts();
    const size = bucketMs(range.granularity);
    const buckets = [];
    for (let start = range.from; start < range.to; start += size) {
      const counts = byStart.get(start) ?? emptyCounts();
      for (const code of VERIFICATION_CODES) totals[code] += counts[code];
      buckets.push({ start: new Date(start).toISOString(), counts, total: countsTotal(counts) });
    }
    return {
      keyId,
      granularity: range.granularity,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      buckets,
      totals,
    };
  }
}
