import ipaddr from 'ipaddr.js';
import {
  VERIFICATION_CODES,
  type UsageAggregatedV1,
  type VerificationCode,
} from '@keyway/contracts';

// The pure half of usage ingest: events become rows, the rows just recorded become additions to
// the rollups, the key activity and the key addresses. Every list comes out sorted by its table's
// primary key, so that concurrent transactions lock rows in one order and cannot deadlock.

export type Granularity = 'minute' | 'hour' | 'day';
export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour', 'day'];

const GRANULARITY_MS: Readonly<Record<Exclude<Granularity, 'day'>, number>> = {
  minute: 60_000,
  hour: 3_600_000,
};

/** The start (UTC) of the bucket of `granularity` holding the instant `ms`. */
export function bucketStart(ms: number, granularity: Granularity): number {
  const size = granularity === 'day' ? 86_400_000 : GRANULARITY_MS[granularity];
  return Math.floor(ms / size) * size;
}

/** The bucket length of `granularity`, in ms (a UTC day has no leap seconds here). */
export function bucketMs(granularity: Granularity): number {
  return granularity === 'day' ? 86_400_000 : GRANULARITY_MS[granularity];
}

const canonicalCache = new Map<string, string>();

/**
 * One address as audit keeps it: the canonical text of its value (RFC 5952 for IPv6), an
 * IPv4-mapped IPv6 address as the IPv4 address it is. Equal addresses compare equal as text.
 */
export function canonicalAddress(address: string): string {
  let canonical = canonicalCache.get(address);
  if (canonical === undefined) {
    canonical = ipaddr.process(address).toString();
    // The same few addresses recur in every batch; parsing them each time is most of the work.
    if (canonicalCache.size >= 10_000) canonicalCache.clear();
    canonicalCache.set(address, canonical);
  }
  return canonical;
}

export type Counts = number[]; // one per VERIFICATION_CODES entry, in that order

/** One usage event as a `usage_windows` row. */
export interface UsageWindowRow {
  readonly stream: string;
  readonly sequence: number;
  readonly workspaceId: string | null;
  readonly keyId: string | null;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly counts: Counts;
  /** Canonical, distinct, sorted. */
  readonly clientAddresses: readonly string[];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The events as rows, one per (stream, sequence) (the first of duplicates), sorted by it. */
export function windowRows(events: readonly UsageAggregatedV1[]): UsageWindowRow[] {
  const rows = new Map<string, UsageWindowRow>();
  for (const event of events) {
    const id = `${event.sequence}\u0000${event.subject}`;
    if (rows.has(id)) continue;
    const { data } = event;
    // A window counts for a key only when the gateway knew both the key and its workspace.
    const known = data.keyId !== null && data.workspaceId !== null;
    rows.set(id, {
      stream: event.subject,
      sequence: event.sequence,
      workspaceId: known ? data.workspaceId : null,
      keyId: known ? data.keyId : null,
      windowStart: Date.parse(data.windowStart),
      windowEnd: Date.parse(data.windowEnd),
      firstSeenAt: Date.parse(data.firstSeenAt),
      lastSeenAt: Date.parse(data.lastSeenAt),
      counts: VERIFICATION_CODES.map((code) => data.counts[code] ?? 0),
      clientAddresses: [...new Set(data.clientAddresses.map(canonicalAddress))].sort(compareText),
    });
  }
  return [...rows.values()].sort(
    (a, b) => compareText(a.stream, b.stream) || a.sequence - b.sequence,
  );
}

/** A row of a known key: what rollups, activity and addresses are built from. */
export type KeyedWindowRow = UsageWindowRow & {
  readonly keyId: string;
  readonly workspaceId: string;
};

export const isKeyed = (row: UsageWindowRow): row is KeyedWindowRow =>
  row.keyId !== null && row.workspaceId !== null;

export interface RollupAddition {
  readonly keyId: string;
  readonly granularity: Granularity;
  readonly bucketStart: number;
  readonly workspaceId: string;
  readonly counts: Counts;
}

const addInto = (target: Counts, counts: Counts): void => {
  counts.forEach((count, index) => (target[index] = (target[index] ?? 0) + count));
};

/** What the rows add to each (key, granularity, bucket), bucketed by window start (UTC). */
export function rollupAdditions(rows: readonly KeyedWindowRow[]): RollupAddition[] {
  const additions = new Map<string, RollupAddition>();
  for (const row of rows) {
    for (const granularity of GRANULARITIES) {
      const start = bucketStart(row.windowStart, granularity);
      const id = `${row.keyId}\u0000${granularity}\u0000${start}`;
      let addition = additions.get(id);
      if (addition === undefined) {
        addition = {
          keyId: row.keyId,
          granularity,
          bucketStart: start,
          workspaceId: row.workspaceId,
          counts: VERIFICATION_CODES.map(() => 0),
        };
        additions.set(id, addition);
      }
      addInto(addition.counts, row.counts);
    }
  }
  return [...additions.values()].sort(
    (a, b) =>
      compareText(a.keyId, b.keyId) ||
      compareText(a.granularity, b.granularity) ||
      a.bucketStart - b.bucketStart,
  );
}

export interface ActivityAddition {
  readonly keyId: string;
  readonly workspaceId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  /** The last time seen of the latest window with a VALID verification; null without one. */
  lastUsedAt: number | null;
  readonly counts: Counts;
}

const VALID_INDEX = VERIFICATION_CODES.indexOf('VALID');

/** Per key: first and last seen, last used, totals. */
export function activityAdditions(rows: readonly KeyedWindowRow[]): ActivityAddition[] {
  const additions = new Map<string, ActivityAddition>();
  for (const row of rows) {
    const used = (row.counts[VALID_INDEX] ?? 0) > 0 ? row.lastSeenAt : null;
    const addition = additions.get(row.keyId);
    if (addition === undefined) {
      additions.set(row.keyId, {
        keyId: row.keyId,
        workspaceId: row.workspaceId,
        firstSeenAt: row.firstSeenAt,
        lastSeenAt: row.lastSeenAt,
        lastUsedAt: used,
        counts: [...row.counts],
      });
      continue;
    }
    addition.firstSeenAt = Math.min(addition.firstSeenAt, row.firstSeenAt);
    addition.lastSeenAt = Math.max(addition.lastSeenAt, row.lastSeenAt);
    if (used !== null) addition.lastUsedAt = Math.max(addition.lastUsedAt ?? used, used);
    addInto(addition.counts, row.counts);
  }
  return [...additions.values()].sort((a, b) => compareText(a.keyId, b.keyId));
}

export interface AddressAddition {
  readonly keyId: string;
  readonly address: string;
  readonly workspaceId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  windows: number;
}

/** Per key and address: first and last seen, and in how many windows. */
export function addressAdditions(rows: readonly KeyedWindowRow[]): AddressAddition[] {
  const additions = new Map<string, AddressAddition>();
  for (const row of rows) {
    for (const address of row.clientAddresses) {
      const id = `${row.keyId}\u0000${address}`;
      const addition = additions.get(id);
      if (addition === undefined) {
        additions.set(id, {
          keyId: row.keyId,
          address,
          workspaceId: row.workspaceId,
          firstSeenAt: row.firstSeenAt,
          lastSeenAt: row.lastSeenAt,
          windows: 1,
        });
        continue;
      }
      addition.firstSeenAt = Math.min(addition.firstSeenAt, row.firstSeenAt);
      addition.lastSeenAt = Math.max(addition.lastSeenAt, row.lastSeenAt);
      addition.windows += 1;
    }
  }
  return [...additions.values()].sort(
    (a, b) => compareText(a.keyId, b.keyId) || compareText(a.address, b.address),
  );
}

/**
 * Which addresses are new in which window: an address new for its key belongs to the earliest
 * window (by first time seen, then stream and sequence) of the batch that saw it.
 */
export function newAddressesByWindow(
  rows: readonly KeyedWindowRow[],
  isNew: (keyId: string, address: string) => boolean,
): Map<KeyedWindowRow, string[]> {
  const claimed = new Set<string>();
  const result = new Map<KeyedWindowRow, string[]>();
  const ordered = [...rows].sort(
    (a, b) =>
      a.firstSeenAt - b.firstSeenAt || compareText(a.stream, b.stream) || a.sequence - b.sequence,
  );
  for (const row of ordered) {
    const fresh: string[] = [];
    for (const address of row.clientAddresses) {
      const id = `${row.keyId}\u0000${address}`;
      if (claimed.has(id) || !isNew(row.keyId, address)) continue;
      claimed.add(id);
      fresh.push(address);
    }
    result.set(row, fresh);
  }
  return result;
}

/** Counts as the contract's record, by outcome code. */
export function countsRecord(
  counts: readonly (number | string)[],
): Record<VerificationCode, number> {
  return Object.fromEntries(
    VERIFICATION_CODES.map((code, index) => [code, Number(counts[index] ?? 0)]),
  ) as Record<VerificationCode, number>;
}
