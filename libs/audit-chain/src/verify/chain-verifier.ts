import { BreakReason as BreakReasonSchema, GENESIS_HASH } from '@keyway/contracts';
import { NotCanonicalizable } from '../canonical-json';
import { type Checkpoint } from '../checkpoint/checkpoint';
import { canonicalRecordAndHash } from './record-text';

/** Why a chain does not verify (docs/api/audit-integrity.md "Breaks"), as the HTTP contract says. */
export const BREAK_REASONS = BreakReasonSchema.options;
export type BreakReason = (typeof BREAK_REASONS)[number];

export interface ChainBreak {
  readonly reason: BreakReason;
  /** The first position concerned. */
  readonly position: number;
  /** How many positions from `position` on (a deleted range, a displaced run); 1 otherwise. */
  readonly count: number;
  /** The record's `id`, when a record is at fault and could be read. */
  readonly recordId: string | null;
  /** 1-based index of the record in the stream (export line), when a record is at fault. */
  readonly line: number | null;
  readonly detail: string;
}

/** What the database says of the chain: weaker than a checkpoint, but more recent. */
export interface StoredHead {
  readonly size: number;
  readonly headHash: string;
}

export interface ChainVerifierOptions {
  readonly workspaceId: string;
  /** Checkpoints whose signatures verified: each anchors its size and its start. */
  readonly checkpoints: readonly Checkpoint[];
  /** The head row, when verifying the database (records beyond it were not appended by audit). */
  readonly storedHead?: StoredHead | undefined;
  /** Where the chain starts when no checkpoint says (default 1). */
  readonly defaultStart?: number | undefined;
  /** Breaks kept in the report; more are only counted (default 1000). */
  readonly maxBreaks?: number | undefined;
}

export interface ChainReport {
  readonly valid: boolean;
  readonly workspaceId: string;
  /** Records read. */
  readonly records: number;
  /** Where the chain must start and reach, as the checkpoints (and head) say. */
  readonly expectedStart: number;
  readonly expectedSize: number;
  /** Lowest and highest positions read (null when none). */
  readonly firstPosition: number | null;
  readonly lastPosition: number | null;
  /** Hash of the record at `lastPosition`. */
  readonly headHash: string | null;
  readonly breaks: readonly ChainBreak[];
  /** Breaks beyond `maxBreaks`, counted but not listed. */
  readonly breaksOmitted: number;
}

interface Placed {
  readonly position: number;
  readonly hash: string;
  readonly prevHash: string;
  readonly id: string;
  readonly line: number;
  /** Its hash is the hash of its content. */
  readonly intact: boolean;
}

interface MissingRange {
  from: number;
  to: number;
  /** Hash of the record before `from`, when known. */
  readonly hashBefore: string | null;
  /** Before the first record read: the chain's start moved. */
  readonly front: boolean;
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * Verifies one workspace's chain from its records fed in stream order (position order as stored,
 * or an export's lines), in memory that does not grow with the chain: only the last record, the
 * positions found missing so far, the checkpoint anchors and the breaks are kept.
 *
 * Every record is checked on its own (canonical text, hash of its content), then placed: its
 * position against the positions seen, its `prevHash` against the record before it, its hash
 * against the checkpoints. The rules naming each break are in docs/api/audit-integrity.md.
 */
export class ChainVerifier {
  private readonly anchors = new Map<number, string>();
  private readonly breaks: ChainBreak[] = [];
  private breaksOmitted = 0;
  private readonly missing: MissingRange[] = [];
  private readonly expectedStart: number;
  private readonly expectedSize: number;
  private readonly maxBreaks: number;
  private records = 0;
  private firstPosition: number | null = null;
  /** The record at the highest position so far, and a second one claiming the same position. */
  private current: Placed | null = null;
  private rival: Placed | null = null;
  private lastReordered: { position: number; count: number; index: number } | null = null;

  constructor(private readonly options: ChainVerifierOptions) {
    this.maxBreaks = options.maxBreaks ?? 1000;
    this.anchor(0, GENESIS_HASH, 'genesis');
    let latest: Checkpoint | null = null;
    for (const checkpoint of options.checkpoints) {
      this.anchor(checkpoint.size, checkpoint.headHash, `checkpoint of size ${checkpoint.size}`);
      this.anchor(
        checkpoint.startPosition - 1,
        checkpoint.startPrevHash,
        `checkpoint of size ${checkpoint.size} (its start)`,
      );
      if (
        latest === null ||
        checkpoint.size > latest.size ||
        (checkpoint.size === latest.size && checkpoint.time > latest.time)
      ) {
        latest = checkpoint;
      }
    }
    this.expectedStart = latest?.startPosition ?? options.defaultStart ?? 1;
    this.expectedSize = Math.max(
      latest?.size ?? 0,
      options.storedHead?.size ?? 0,
      this.expectedStart - 1,
    );
  }

  /** Adds a break found outside the records (a checkpoint whose signature does not verify). */
  report(chainBreak: ChainBreak): void {
    if (this.breaks.length < this.maxBreaks) this.breaks.push(chainBreak);
    else this.breaksOmitted += 1;
  }

  /** Feeds the next record's stored text. */
  push(text: string): void {
    this.records += 1;
    const line = this.records;
    const guess = this.current === null ? this.expectedStart : this.current.position + 1;
    const broken = (reason: BreakReason, position: number, id: string | null, detail: string) =>
      this.report({ reason, position, count: 1, recordId: id, line, detail });
    // Unreadable text takes the place it was read at, so that it is not also counted deleted.
    const unreadable = (detail: string) => {
      broken('modified', guess, null, detail);
      this.place({ position: guess, hash: '', prevHash: '', id: '', line, intact: false });
    };

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return unreadable('the stored text is not JSON');
    }
    const record = asRecordShape(value);
    if (record === null) return unreadable('the stored text is not an audit record');
    const { position, id } = record;
    if (record.workspaceId !== this.options.workspaceId) {
      return broken('inserted', position, id, `a record of workspace ${record.workspaceId}`);
    }
    let canonical: { canonical: string; hash: string };
    try {
      canonical = canonicalRecordAndHash(value as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof NotCanonicalizable)) throw error;
      return broken('modified', position, id, 'the record cannot be canonicalized');
    }
    if (canonical.canonical !== text) {
      broken('noncanonical', position, id, 'the stored text is not its own RFC 8785 form');
    }
    const intact = canonical.hash === record.hash;
    if (!intact) {
      broken('modified', position, id, 'its hash is not the hash of its content');
    }
    this.place({ position, hash: record.hash, prevHash: record.prevHash, id, line, intact });
  }

  /** Ends the stream: what is still missing is reported, then the report. */
  finish(): ChainReport {
    if (this.current !== null) this.settle(this.anchors.get(this.current.position) ?? null);
    const last = this.current;
    for (const range of this.missing) {
      this.report({
        reason: range.front ? 'truncated' : 'deleted',
        position: range.from,
        count: range.to - range.from + 1,
        recordId: null,
        line: null,
        detail: range.front
          ? `the chain starts after ${range.to}, but a checkpoint says it starts at ${range.from}`
          : `positions ${range.from}..${range.to} are missing`,
      });
    }
    const reached = last?.position ?? this.expectedStart - 1;
    if (reached < this.expectedSize) {
      this.report({
        reason: 'truncated',
        position: reached + 1,
        count: this.expectedSize - reached,
        recordId: null,
        line: null,
        detail: `the chain ends at ${reached}, but it reached ${this.expectedSize}`,
      });
    }
    const breaks = [...this.breaks].sort(
      (a, b) => a.position - b.position || (a.line ?? Infinity) - (b.line ?? Infinity),
    );
    return {
      valid: breaks.length === 0 && this.breaksOmitted === 0,
      workspaceId: this.options.workspaceId,
      records: this.records,
      expectedStart: this.expectedStart,
      expectedSize: this.expectedSize,
      firstPosition: this.firstPosition,
      lastPosition: last?.position ?? null,
      headHash: last?.hash ?? null,
      breaks,
      breaksOmitted: this.breaksOmitted,
    };
  }

  private anchor(position: number, hash: string, source: string): void {
    if (position < 0) return;
    const known = this.anchors.get(position);
    if (known === undefined) {
      this.anchors.set(position, hash);
    } else if (known !== hash) {
      this.report({
        reason: 'checkpoint_mismatch',
        position,
        count: 1,
        recordId: null,
        line: null,
        detail: `two signed checkpoints disagree on the hash at ${position} (${source})`,
      });
    }
  }

  private breakAt(reason: BreakReason, record: Placed, detail: string, count = 1): void {
    this.report({
      reason,
      position: record.position,
      count,
      recordId: record.id,
      line: record.line,
      detail,
    });
  }

  private place(record: Placed): void {
    const { position } = record;
    this.firstPosition = Math.min(this.firstPosition ?? position, position);
    const current = this.current;
    if (current === null) {
      if (position > this.expectedStart) {
        this.missing.push({
          from: this.expectedStart,
          to: position - 1,
          hashBefore: null,
          front: true,
        });
      }
      this.checkAnchoredLink(record);
      this.current = record;
      return;
    }
    const next = current.position + 1;
    if (position === next) {
      const genuine = this.settle(record.prevHash);
      if (record.prevHash !== genuine.hash && genuine.intact && record.intact) {
        this.breakAt(
          'modified',
          genuine,
          'the next record links to another hash: this record was changed and its hash recomputed',
        );
      }
      this.current = record;
    } else if (position > next) {
      const genuine = this.settle(this.anchors.get(current.position) ?? null);
      this.missing.push({ from: next, to: position - 1, hashBefore: genuine.hash, front: false });
      this.checkAnchoredLink(record);
      this.current = record;
    } else {
      this.placeBehind(record);
    }
  }

  /** A record at or below the highest position seen: displaced, or one too many. */
  private placeBehind(record: Placed): void {
    const { position } = record;
    const range = this.missing.find((gap) => gap.from <= position && position <= gap.to);
    if (range !== undefined) {
      const run = this.lastReordered;
      if (run !== null && run.index === this.records - 1 && run.position + run.count === position) {
        run.count += 1;
        run.index = this.records;
        const listed = this.breaks.find(
          (b) => b.reason === 'reordered' && b.position === run.position,
        );
        if (listed) Object.assign(listed, { count: run.count });
      } else {
        this.breakAt('reordered', record, `it comes after position ${this.current?.position}`);
        this.lastReordered = { position, count: 1, index: this.records };
      }
      if (position === range.from && range.hashBefore !== null && record.intact) {
        if (record.prevHash !== range.hashBefore) {
          this.breakAt('modified', record, 'it does not link to the record before its position');
        }
      }
      this.removeMissing(range, position);
      this.checkAnchors(record);
      return;
    }
    if (this.current !== null && position === this.current.position && this.rival === null) {
      this.rival = record;
      return;
    }
    this.breakAt('inserted', record, `a second record at position ${position}`);
  }

  private removeMissing(range: MissingRange, position: number): void {
    if (range.from === range.to) {
      this.missing.splice(this.missing.indexOf(range), 1);
    } else if (position === range.from) {
      range.from += 1;
    } else if (position === range.to) {
      range.to -= 1;
    } else {
      this.missing.splice(this.missing.indexOf(range) + 1, 0, {
        from: position + 1,
        to: range.to,
        hashBefore: null,
        front: range.front,
      });
      range.to = position - 1;
    }
  }

  /**
   * Decides which of two records claiming the highest position belongs (the one `linkedHash`, the
   * next record's `prevHash` or a checkpoint's hash, names; else the one read first), reports the
   * other as inserted, and checks the one kept against the checkpoints and the head.
   */
  private settle(linkedHash: string | null): Placed {
    const current = this.current as Placed;
    const rival = this.rival;
    this.rival = null;
    let genuine = current;
    if (rival !== null) {
      const rivalLinked = linkedHash === rival.hash && linkedHash !== current.hash;
      genuine = rivalLinked ? rival : current;
      this.breakAt(
        'inserted',
        rivalLinked ? current : rival,
        `a second record at position ${current.position}; the chain continues from the other`,
      );
      this.current = genuine;
    }
    this.checkAnchors(genuine);
    const head = this.options.storedHead;
    if (head !== undefined) {
      if (genuine.position > head.size) {
        this.breakAt('inserted', genuine, `beyond the head (size ${head.size}) audit recorded`);
      } else if (
        genuine.position === head.size &&
        genuine.hash !== head.headHash &&
        genuine.intact
      ) {
        this.breakAt('modified', genuine, 'the chain head records another hash for it');
      }
    }
    return genuine;
  }

  /** The record's hash against a checkpoint's, when one anchors its position. */
  private checkAnchors(record: Placed): void {
    const anchored = this.anchors.get(record.position);
    if (anchored !== undefined && anchored !== record.hash && record.intact) {
      this.breakAt('checkpoint_mismatch', record, 'a signed checkpoint has another hash here');
    }
  }

  /** The record's `prevHash` against an anchor of the position before it (genesis, a start). */
  private checkAnchoredLink(record: Placed): void {
    const anchored = this.anchors.get(record.position - 1);
    if (anchored !== undefined && anchored !== record.prevHash && record.intact) {
      this.breakAt(
        'checkpoint_mismatch',
        record,
        record.position === 1
          ? 'the first record does not start from the genesis hash'
          : 'it does not link to the hash a signed checkpoint has before it',
      );
    }
  }
}

interface RecordShape {
  workspaceId: string;
  position: number;
  id: string;
  prevHash: string;
  hash: string;
}

/** The fields placement needs, checked; the hash covers the rest. */
function asRecordShape(value: unknown): RecordShape | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { workspaceId, position, id, prevHash, hash } = value as Record<string, unknown>;
  if (typeof workspaceId !== 'string' || typeof id !== 'string') return null;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1) return null;
  if (typeof prevHash !== 'string' || !HEX_HASH.test(prevHash)) return null;
  if (typeof hash !== 'string' || !HEX_HASH.test(hash)) return null;
  return { workspaceId, position, id, prevHash, hash };
}
