import { z } from 'zod';
import { IsoTimeInput, queryInteger } from '../http/inputs';
import { VERIFICATION_CODES, VerificationCode } from '../usage/verification-code';

// Audit's usage routes: `GET /v1/keys/{id}/usage`, `GET /v1/keys/{id}/activity`,
// `GET /v1/reports/inactive-keys` and `GET /v1/reports/stale-keys`. Queries are strict (an
// unknown parameter is refused).

export const USAGE_GRANULARITIES = ['minute', 'hour', 'day'] as const;
export const UsageGranularity = z.enum(USAGE_GRANULARITIES);
export type UsageGranularity = z.infer<typeof UsageGranularity>;

/** How far back a series reaches when `from` is not given: 60 minutes, 24 hours, 30 days. */
export const USAGE_DEFAULT_SPAN_MS: Readonly<Record<UsageGranularity, number>> = {
  minute: 3_600_000,
  hour: 86_400_000,
  day: 30 * 86_400_000,
};

/** The most buckets one series may have (a day of minutes, two months of hours, 4 years of days). */
export const USAGE_MAX_POINTS = 1440;

const Iso = z.string().meta({ format: 'date-time' });

/** A key's path parameter; an id audit does not know in the caller's workspace is a 404. */
export const AuditKeyPathParams = z.strictObject({ id: z.string().min(1).max(200) });

/** `GET /v1/keys/{id}/usage` query. */
export const KeyUsageQuery = z
  .strictObject({
    granularity: UsageGranularity.default('hour'),
    from: IsoTimeInput.optional().meta({
      description: 'Inclusive, rounded down to its bucket. Default: `to` minus 1h, 24h or 30d.',
    }),
    to: IsoTimeInput.optional().meta({
      description: 'Exclusive, rounded up to a bucket boundary. Default: now.',
    }),
  })
  .refine(
    ({ from, to }) => from === undefined || to === undefined || Date.parse(from) < Date.parse(to),
    { path: ['from'], message: 'must be before to' },
  )
  .meta({ id: 'KeyUsageQuery' });
export type KeyUsageQuery = z.input<typeof KeyUsageQuery>;

/** A count per verification outcome, every code present. */
export const OutcomeCounts = z
  .record(VerificationCode, z.number().int().min(0))
  .meta({ id: 'OutcomeCounts', required: [...VERIFICATION_CODES] });
export type OutcomeCounts = z.infer<typeof OutcomeCounts>;

export const UsageBucket = z
  .object({ start: Iso, counts: OutcomeCounts, total: z.number().int().min(0) })
  .meta({ id: 'UsageBucket' });

/** `GET /v1/keys/{id}/usage`: every bucket of [from, to), oldest first, empty ones as zeros. */
export const KeyUsageResponse = z
  .object({
    keyId: z.string(),
    granularity: UsageGranularity,
    from: Iso,
    to: Iso,
    buckets: z.array(UsageBucket),
    totals: OutcomeCounts,
  })
  .meta({ id: 'KeyUsage' });
export type KeyUsageResponse = z.infer<typeof KeyUsageResponse>;

/** `GET /v1/keys/{id}/activity` query: the page of addresses. */
export const KeyActivityQuery = z
  .strictObject({
    addressLimit: queryInteger(1, 200, 50),
    addressCursor: z.string().min(1).max(300).optional(),
  })
  .meta({ id: 'KeyActivityQuery' });
export type KeyActivityQuery = z.input<typeof KeyActivityQuery>;

export const KeyAddress = z
  .object({
    address: z.string(),
    firstSeenAt: Iso,
    lastSeenAt: Iso,
    windows: z.number().int().meta({ description: 'Usage windows (≤ 1 s each) it was seen in.' }),
  })
  .meta({ id: 'KeyAddress' });

/** `GET /v1/keys/{id}/activity`. Times are null for a key never seen at the gateway. */
export const KeyActivityResponse = z
  .object({
    keyId: z.string(),
    firstSeenAt: Iso.nullable(),
    lastSeenAt: Iso.nullable().meta({ description: 'Last verification of any outcome.' }),
    lastUsedAt: Iso.nullable().meta({ description: 'Last VALID verification (to the second).' }),
    totals: OutcomeCounts,
    total: z.number().int().min(0),
    addresses: z.object({
      total: z.number().int().min(0),
      data: z.array(KeyAddress).meta({ description: 'Most recently seen first.' }),
      nextCursor: z.string().nullable(),
    }),
  })
  .meta({ id: 'KeyActivity' });
export type KeyActivityResponse = z.infer<typeof KeyActivityResponse>;

/** `GET /v1/reports/inactive-keys` and `GET /v1/reports/stale-keys` query. */
export const KeyReportQuery = z
  .strictObject({
    days: queryInteger(1, 3650, 90),
    limit: queryInteger(1, 500, 100),
    cursor: z.string().min(1).max(300).optional(),
  })
  .meta({ id: 'KeyReportQuery' });
export type KeyReportQuery = z.input<typeof KeyReportQuery>;

export const ReportedKey = z
  .object({
    keyId: z.string(),
    name: z.string().nullable(),
    environment: z.string().nullable(),
    ownerId: z.string().nullable(),
    createdAt: Iso,
    lastRotatedAt: Iso.nullable(),
    lastUsedAt: Iso.nullable(),
    lastSeenAt: Iso.nullable(),
  })
  .meta({ id: 'ReportedKey' });
export type ReportedKey = z.infer<typeof ReportedKey>;

/** A page of a key report: `cutoff` is now minus `days`. */
export const KeyReport = z
  .object({
    days: z.number().int(),
    cutoff: Iso,
    data: z.array(ReportedKey),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'KeyReport' });
export type KeyReport = z.infer<typeof KeyReport>;
