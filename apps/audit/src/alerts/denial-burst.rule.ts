import { type VerificationCode } from '@keyway/contracts';
import { type Detection, type OutcomeCounts } from './alert';

/**
 * The outcomes that count as denials of a known key: 401 (revoked, expired), 403 (wrong
 * environment, forbidden address, insufficient scope) and 429 (rate limited, usage exceeded).
 * MALFORMED and NOT_FOUND never name a key, VALID is no denial.
 */
export const DENIAL_CODES = [
  'REVOKED',
  'EXPIRED',
  'WRONG_ENVIRONMENT',
  'FORBIDDEN_ADDRESS',
  'INSUFFICIENT_SCOPE',
  'USAGE_EXCEEDED',
  'RATE_LIMITED',
] as const satisfies readonly VerificationCode[];

export interface BurstRule {
  /** Denials a minute needs at least, whatever the key's usual level. */
  readonly floorPerMinute: number;
  /** …and at least this many times the key's mean denials per minute before it. */
  readonly factor: number;
  /**
   * Minutes before a minute that make the key's usual level (minutes without usage count 0; a key
   * first seen less long ago is judged on the minutes since then).
   */
  readonly baselineMinutes: number;
  /** Complete minutes below the threshold that end a burst. */
  readonly quietMinutes: number;
}

/**
 * One minute of one key's denials, with the denials of the `historyMinutes` before it: the
 * `baselineMinutes`, or fewer when the key was first seen less long ago (0 in its first minute).
 */
export interface DenialMinute {
  readonly workspaceId: string;
  readonly keyId: string;
  readonly minute: Date;
  readonly counts: OutcomeCounts;
  readonly denials: number;
  readonly baselineDenials: number;
  readonly historyMinutes: number;
  readonly clientAddresses: readonly string[];
}

const MINUTE_MS = 60_000;

/** A key's usual level and the level a minute must reach to be a burst. */
export function burstThreshold(baselineDenials: number, historyMinutes: number, rule: BurstRule) {
  const minutes = Math.max(1, historyMinutes);
  const baselinePerMinute = Math.round((baselineDenials / minutes) * 100) / 100;
  const thresholdPerMinute = Math.max(
    rule.floorPerMinute,
    Math.ceil((rule.factor * baselineDenials) / minutes),
  );
  return { baselinePerMinute, thresholdPerMinute };
}

/**
 * The burst detections among these minutes (in time order). A key with an open burst keeps the
 * threshold the burst started with, so a long storm does not lift its own baseline and end
 * itself; a key without one bursts at `max(floor, factor × baseline)`. A key's first minute has
 * no usual level and is not judged.
 */
export function detectBursts(
  minutes: readonly DenialMinute[],
  openThresholds: ReadonlyMap<string, number>,
  rule: BurstRule,
): Detection[] {
  const thresholds = new Map(openThresholds);
  const detections: Detection[] = [];
  for (const minute of minutes) {
    const open = thresholds.get(minute.keyId);
    if (open === undefined && minute.historyMinutes < 1) continue;
    const fresh = burstThreshold(minute.baselineDenials, minute.historyMinutes, rule);
    const threshold = open ?? fresh.thresholdPerMinute;
    if (minute.denials < threshold) continue;
    if (open === undefined) thresholds.set(minute.keyId, threshold);
    detections.push({
      workspaceId: minute.workspaceId,
      keyId: minute.keyId,
      kind: 'denial-burst',
      firstSeenAt: minute.minute,
      lastSeenAt: new Date(minute.minute.getTime() + MINUTE_MS),
      counts: minute.counts,
      clientAddresses: minute.clientAddresses,
      details: { ...fresh, peakPerMinute: minute.denials },
    });
  }
  return detections;
}

/**
 * Whether a burst whose last minute over its threshold ended at `lastSeenAt` is over: the
 * `quietMinutes` after it are all complete (the last complete minute starts at
 * `evaluatedThrough`) and, having been judged, none reached the threshold.
 */
export function burstEnded(lastSeenAt: Date, evaluatedThrough: Date, rule: BurstRule): boolean {
  return lastSeenAt.getTime() + (rule.quietMinutes - 1) * MINUTE_MS <= evaluatedThrough.getTime();
}

/** The start of the last minute that ended at least `settleMs` before `now`. */
export function lastCompleteMinute(now: Date, settleMs: number): Date {
  const settled = now.getTime() - settleMs;
  return new Date(Math.floor(settled / MINUTE_MS) * MINUTE_MS - MINUTE_MS);
}
