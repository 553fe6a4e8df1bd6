import {
  type AlertDetails,
  type AlertKind,
  type AlertResource,
  type AlertStatus,
  MAX_ALERT_ADDRESSES,
  type VerificationCode,
} from '@keyway/contracts';

export type OutcomeCounts = Partial<Record<VerificationCode, number>>;

/** What a detector saw of one key: it raises an alert, or updates the key's open one. */
export interface Detection {
  readonly workspaceId: string;
  readonly keyId: string;
  readonly kind: AlertKind;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly counts: OutcomeCounts;
  readonly clientAddresses: readonly string[];
  readonly details: AlertDetails;
}

/** An alert as stored. */
export interface Alert {
  readonly id: string;
  readonly workspaceId: string;
  readonly kind: AlertKind;
  readonly keyId: string;
  readonly status: AlertStatus;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly raisedAt: Date;
  readonly resolvedAt: Date | null;
  readonly counts: OutcomeCounts;
  readonly clientAddresses: readonly string[];
  readonly details: AlertDetails;
}

/** The alert a first detection raises. */
export function raise(id: string, detection: Detection, now: Date): Alert {
  return {
    id,
    workspaceId: detection.workspaceId,
    kind: detection.kind,
    keyId: detection.keyId,
    status: 'open',
    firstSeenAt: detection.firstSeenAt,
    lastSeenAt: detection.lastSeenAt,
    raisedAt: now,
    resolvedAt: null,
    counts: sumCounts({}, detection.counts),
    clientAddresses: union([], detection.clientAddresses),
    details: detection.details,
  };
}

/**
 * An open alert after one more detection: its span widens, counts add up, addresses and networks
 * join (the first `MAX_ALERT_ADDRESSES`), the peak is the highest; what was fixed when it was
 * raised (a burst's baseline and threshold) stays.
 */
export function extend(alert: Alert, detection: Detection): Alert {
  const { details } = alert;
  const networks =
    details.networks === undefined && detection.details.networks === undefined
      ? undefined
      : union(details.networks ?? [], detection.details.networks ?? []);
  const peaks = [details.peakPerMinute, detection.details.peakPerMinute].filter(
    (peak): peak is number => peak !== undefined,
  );
  return {
    ...alert,
    firstSeenAt: min(alert.firstSeenAt, detection.firstSeenAt),
    lastSeenAt: max(alert.lastSeenAt, detection.lastSeenAt),
    counts: sumCounts(alert.counts, detection.counts),
    clientAddresses: union(alert.clientAddresses, detection.clientAddresses),
    details: {
      ...details,
      ...(networks === undefined ? {} : { networks }),
      ...(peaks.length === 0 ? {} : { peakPerMinute: Math.max(...peaks) }),
    },
  };
}

/** The alert once its detector saw the quiet it waits for. */
export function resolve(alert: Alert, now: Date): Alert {
  return { ...alert, status: 'resolved', resolvedAt: now };
}

export function alertResource(alert: Alert): AlertResource {
  return {
    id: alert.id,
    workspaceId: alert.workspaceId,
    kind: alert.kind,
    keyId: alert.keyId,
    status: alert.status,
    firstSeenAt: alert.firstSeenAt.toISOString(),
    lastSeenAt: alert.lastSeenAt.toISOString(),
    raisedAt: alert.raisedAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    counts: alert.counts,
    clientAddresses: [...alert.clientAddresses],
    details: alert.details,
  };
}

function sumCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const sum: OutcomeCounts = { ...a };
  for (const [code, count] of Object.entries(b) as [VerificationCode, number][]) {
    if (count > 0) sum[code] = (sum[code] ?? 0) + count;
  }
  return sum;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].slice(0, MAX_ALERT_ADDRESSES);
}

const min = (a: Date, b: Date) => (a <= b ? a : b);
const max = (a: Date, b: Date) => (a >= b ? a : b);
