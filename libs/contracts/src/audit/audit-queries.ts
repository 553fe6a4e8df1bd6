import { z } from 'zod';
import { queryInteger } from '../http/inputs';
import { Actor, IsoTimestamp, KeyId } from '../scalars';
import { AuditRecord } from './audit-record';

/** The most records one page of `GET /v1/audit/events` holds. */
export const MAX_AUDIT_PAGE_SIZE = 500;
/** The most event types one query may name. */
export const MAX_AUDIT_TYPES = 32;

const EventType = z
  .string()
  .max(128)
  .regex(/^keyway\.[a-z0-9-]+(?:\.[a-z0-9-]+)*\.v[1-9][0-9]*$/);

/** `type=a&type=b` or `type=a,b`: one or several event types, deduplicated and sorted. */
const EventTypes = z
  .preprocess(
    (value) =>
      (Array.isArray(value) ? value : [value])
        .flatMap((item) => (typeof item === 'string' ? item.split(',') : [item]))
        .map((item) => (typeof item === 'string' ? item.trim() : item)),
    z.array(EventType).min(1).max(MAX_AUDIT_TYPES),
  )
  .transform((types) => [...new Set(types)].sort())
  .meta({ description: 'Event type(s): repeat the parameter or separate them with commas.' });

/** The filters shared by the trail query and its exports. */
const trailFilterShape = {
  keyId: KeyId.optional().meta({
    description: "Records about this key; 404 unless the caller's trail mentions it.",
  }),
  actor: Actor.optional(),
  type: EventTypes.optional(),
  from: IsoTimestamp.optional().meta({ description: 'Event time at or after (inclusive).' }),
  to: IsoTimestamp.optional().meta({ description: 'Event time before (exclusive).' }),
};

const fromBeforeTo = (query: { from?: string | undefined; to?: string | undefined }) =>
  query.from === undefined ||
  query.to === undefined ||
  Date.parse(query.from) < Date.parse(query.to);
const FROM_BEFORE_TO = { message: '`from` must be before `to`', path: ['to'] };

/** `GET /v1/audit/events`. */
export const ListAuditEventsQuery = z
  .strictObject({
    ...trailFilterShape,
    order: z
      .enum(['desc', 'asc'])
      .default('desc')
      .meta({ description: 'By chain position: newest first (`desc`, default) or oldest first.' }),
    limit: queryInteger(1, MAX_AUDIT_PAGE_SIZE, 50),
    cursor: z.string().min(1).max(200).optional().meta({
      description: "A previous page's `nextCursor`, with the same filters and order.",
    }),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO)
  .meta({ id: 'ListAuditEventsQuery' });
export type ListAuditEventsQuery = z.input<typeof ListAuditEventsQuery>;

export const AuditEventList = z
  .object({
    data: z.array(AuditRecord),
    nextCursor: z.string().nullable().meta({ description: 'null on the last page.' }),
  })
  .meta({ id: 'AuditEventList' });
export type AuditEventList = z.infer<typeof AuditEventList>;

export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv', 'ocsf'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/**
 * `GET /v1/audit/events/export`: the trail (`source=trail`, default) in chain order as NDJSON, CSV
 * or OCSF, or the gateway's verification outcomes (`source=usage`, OCSF API Activity only).
 */
export const ExportAuditEventsQuery = z
  .strictObject({
    ...trailFilterShape,
    format: z.enum(AUDIT_EXPORT_FORMATS),
    source: z
      .enum(['trail', 'usage'])
      .default('trail')
      .meta({ description: '`usage`: verification outcomes per usage window (format=ocsf only).' }),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO)
  .refine((query) => query.source === 'trail' || query.format === 'ocsf', {
    message: '`source=usage` is exported as `format=ocsf` only',
    path: ['format'],
  })
  .refine(
    (query) => query.source === 'trail' || (query.actor === undefined && query.type === undefined),
    { message: '`source=usage` filters by keyId, from and to only', path: ['source'] },
  )
  .meta({ id: 'ExportAuditEventsQuery' });
export type ExportAuditEventsQuery = z.input<typeof ExportAuditEventsQuery>;

/** The CSV export's columns, in order: part of the contract (add at the end, rename none). */
export const AUDIT_CSV_COLUMNS = [
  'position',
  'id',
  'time',
  'recordedAt',
  'type',
  'subject',
  'sequence',
  'workspaceId',
  'actor',
  'keyId',
  'clientAddress',
  'userAgent',
  'correlationId',
  'before',
  'after',
  'prevHash',
  'hash',
] as const satisfies ReadonlyArray<keyof AuditRecord>;
