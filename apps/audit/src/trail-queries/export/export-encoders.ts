import { stringify } from 'csv-stringify/sync';
import { AUDIT_CSV_COLUMNS, type AuditExportFormat, type AuditRecord } from '@keyway/contracts';
import { canonicalJson } from '@keyway/audit-chain';
import { trailRecordToOcsf } from '../ocsf/ocsf-trail.mapper';
import { type UsageWindowRow, usageWindowToOcsf } from '../ocsf/ocsf-usage.mapper';

/**
 * Turns batches of rows into the bytes of an export. Deterministic: the same rows give the same
 * text (no clock, canonical JSON, fixed columns), so the same query over the same trail exports
 * the same bytes.
 */
export interface ExportEncoder<TRow> {
  readonly contentType: string;
  readonly extension: string;
  /** What comes before the first row, even when there is none (the CSV header). */
  readonly head: string;
  encode(rows: readonly TRow[]): string;
}

/** A trail row: the stored canonical text of one record. */
export interface TrailRow {
  readonly record: string;
}

const NDJSON = 'application/x-ndjson; charset=utf-8';

/** Each line exactly the stored record text, which is what the chain hashes: verifiable offline. */
export const ndjsonEncoder: ExportEncoder<TrailRow> = {
  contentType: NDJSON,
  extension: 'ndjson',
  head: '',
  encode: (rows) => rows.map((row) => `${row.record}\n`).join(''),
};

const cell = (value: AuditRecord[keyof AuditRecord]): string => {
  if (value === null) return '';
  if (typeof value === 'object') return canonicalJson(value);
  return String(value);
};

const CSV_OPTIONS = {
  columns: [...AUDIT_CSV_COLUMNS],
  record_delimiter: 'unix',
  // A cell a spreadsheet would run as a formula (a user agent of `=HYPERLINK(…)`) gets a leading
  // quote; the NDJSON export keeps the exact text.
  escape_formulas: true,
} as const;

/** One row per record, the columns of `AUDIT_CSV_COLUMNS`; before/after as canonical JSON. */
export const csvEncoder: ExportEncoder<TrailRow> = {
  contentType: 'text/csv; charset=utf-8; header=present',
  extension: 'csv',
  head: stringify([], { ...CSV_OPTIONS, header: true }),
  encode: (rows) =>
    stringify(
      rows.map((row) => {
        const record = JSON.parse(row.record) as AuditRecord;
        return AUDIT_CSV_COLUMNS.map((column) => cell(record[column]));
      }),
      CSV_OPTIONS,
    ),
};

/**
 * One OCSF event per line. `JSON.stringify` of events the mappers build member by member in a
 * fixed order (nested before/after in the stored canonical order) is deterministic, and a fifth of
 * the cost of canonicalising each event again.
 */
export const ocsfTrailEncoder: ExportEncoder<TrailRow> = {
  contentType: NDJSON,
  extension: 'ocsf.ndjson',
  head: '',
  encode: (rows) =>
    rows
      .map((row) => `${JSON.stringify(trailRecordToOcsf(JSON.parse(row.record) as AuditRecord))}\n`)
      .join(''),
};

/** Verification outcomes of usage windows as OCSF API Activity, one event per line. */
export function ocsfUsageEncoder(workspaceId: string): ExportEncoder<UsageWindowRow> {
  return {
    contentType: NDJSON,
    extension: 'ocsf.ndjson',
    head: '',
    encode: (rows) =>
      rows
        .flatMap((row) => usageWindowToOcsf(workspaceId, row))
        .map((event) => `${JSON.stringify(event)}\n`)
        .join(''),
  };
}

export const TRAIL_ENCODERS: Readonly<Record<AuditExportFormat, ExportEncoder<TrailRow>>> = {
  ndjson: ndjsonEncoder,
  csv: csvEncoder,
  ocsf: ocsfTrailEncoder,
};
