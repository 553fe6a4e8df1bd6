import { USAGE_DEFAULT_SPAN_MS, USAGE_MAX_POINTS, type UsageGranularity } from '@keyway/contracts';
import { bucketMs, bucketStart } from './usage-aggregation';
import { UsageError } from './usage.errors';

export interface UsageRange {
  readonly granularity: UsageGranularity;
  /** First bucket's start. */
  readonly from: number;
  /** End of the last bucket (exclusive). */
  readonly to: number;
  readonly points: number;
}

/**
 * The buckets a series covers: `to` defaults to now and is rounded up to a bucket boundary,
 * `from` defaults to `to` minus the granularity's default span and is rounded down. At most
 * USAGE_MAX_POINTS buckets.
 */
export function usageRange(
  granularity: UsageGranularity,
  from: string | undefined,
  to: string | undefined,
  now: Date,
): UsageRange {
  const size = bucketMs(granularity);
  const end = to === undefined ? now.getTime() : Date.parse(to);
  const endBucket = bucketStart(end, granularity);
  const alignedTo = endBucket === end ? end : endBucket + size;
  const start =
    from === undefined ? alignedTo - USAGE_DEFAULT_SPAN_MS[granularity] : Date.parse(from);
  const alignedFrom = bucketStart(start, granularity);
  if (alignedFrom >= alignedTo) {
    throw UsageError.invalidRange('from must be before to', { field: 'from' });
  }
  const points = (alignedTo - alignedFrom) / size;
  if (points > USAGE_MAX_POINTS) {
    throw UsageError.invalidRange(
      `the range holds ${points} ${granularity} buckets; at most ${USAGE_MAX_POINTS} per request`,
      { field: 'from', points, maxPoints: USAGE_MAX_POINTS },
    );
  }
  return { granularity, from: alignedFrom, to: alignedTo, points };
}
