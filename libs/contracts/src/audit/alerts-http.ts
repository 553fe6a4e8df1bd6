import { z } from 'zod';
import { queryInteger } from '../http/inputs';
import { IsoTimestamp, KeyId, WorkspaceId } from '../scalars';
import { AlertKind, AlertResource, AlertStatus, Cidr } from './alert-fields';

const Limit = queryInteger(1, 100, 20);
const Cursor = z.string().max(200).optional();

/**
 * `GET /v1/alerts` query. `from`/`to` select alerts whose activity overlaps [from, to):
 * last seen at or after `from`, first seen before `to`.
 */
export const ListAlertsQuery = z
  .strictObject({
    limit: Limit,
    cursor: Cursor,
    status: AlertStatus.optional(),
    kind: AlertKind.optional(),
    keyId: KeyId.optional(),
    from: IsoTimestamp.optional(),
    to: IsoTimestamp.optional(),
  })
  .refine(
    (q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to),
    {
      path: ['to'],
      message: 'must be after from',
    },
  )
  .meta({ id: 'ListAlertsQuery' });
export type ListAlertsQuery = z.input<typeof ListAlertsQuery>;

/** `GET /v1/alerts`: newest raised first. */
export const AlertList = z
  .object({ data: z.array(AlertResource), nextCursor: z.string().nullable() })
  .meta({ id: 'AlertList' });
export type AlertList = z.infer<typeof AlertList>;

export const SuppressionId = z
  .string()
  .regex(/^sup_[0-9A-Za-z]{1,64}$/)
  .meta({ description: 'Suppression id, `sup_…`.' });

/**
 * `POST /v1/alerts/suppressions`: silence detections of a key, of an address range, or of a key
 * from a range; of one kind or of all; until `endsAt` or until deleted.
 */
export const CreateSuppressionRequest = z
  .strictObject({
    keyId: KeyId.optional(),
    cidr: Cidr.optional().meta({
      description: 'Suppress detections whose client addresses all lie in this range.',
    }),
    kind: AlertKind.optional().meta({ description: 'Only this kind; every kind when absent.' }),
    endsAt: IsoTimestamp.optional().meta({
      description: 'Until then (future); forever when absent.',
    }),
    reason: z.string().trim().min(1).max(500),
  })
  .refine((s) => s.keyId !== undefined || s.cidr !== undefined, {
    path: ['keyId'],
    message: 'keyId or cidr (or both) is required',
  })
  .meta({ id: 'CreateSuppressionRequest' });
export type CreateSuppressionRequest = z.input<typeof CreateSuppressionRequest>;

/** A suppression, as created (and, once deleted, with `deletedAt`). */
export const SuppressionResource = z
  .strictObject({
    id: SuppressionId,
    workspaceId: WorkspaceId,
    keyId: KeyId.nullable(),
    cidr: Cidr.nullable(),
    kind: AlertKind.nullable(),
    endsAt: IsoTimestamp.nullable(),
    reason: z.string(),
    createdAt: IsoTimestamp,
    createdBy: z.string(),
    deletedAt: IsoTimestamp.nullable(),
    deletedBy: z.string().nullable(),
  })
  .meta({ id: 'Suppression' });
export type SuppressionResource = z.infer<typeof SuppressionResource>;

/** `GET /v1/alerts/suppressions` query. */
export const ListSuppressionsQuery = z
  .strictObject({ limit: Limit, cursor: Cursor, keyId: KeyId.optional() })
  .meta({ id: 'ListSuppressionsQuery' });
export type ListSuppressionsQuery = z.input<typeof ListSuppressionsQuery>;

/** `GET /v1/alerts/suppressions`: suppressions not deleted (ended ones included), newest first. */
export const SuppressionList = z
  .object({ data: z.array(SuppressionResource), nextCursor: z.string().nullable() })
  .meta({ id: 'SuppressionList' });
export type SuppressionList = z.infer<typeof SuppressionList>;
