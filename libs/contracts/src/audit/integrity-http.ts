import { z } from 'zod';
import { queryInteger } from '../http/inputs';
import { IsoTimestamp, WorkspaceId } from '../scalars';
import { ChainHash } from './audit-record';
import { CheckpointFields } from './checkpoint-signed.v1';

/** `GET /v1/audit/checkpoints/latest`, and each item of the list. */
export const CheckpointResource = CheckpointFields.meta({ id: 'CheckpointResource' });
export type CheckpointResource = z.infer<typeof CheckpointResource>;

/** `GET /v1/audit/checkpoints`: the caller's workspace's checkpoints, newest first. */
export const ListCheckpointsQuery = z.strictObject({
  limit: queryInteger(1, 1000, 100),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/)
    .optional()
    .meta({ description: "The previous page's `nextCursor`." }),
});
export type ListCheckpointsQuery = z.infer<typeof ListCheckpointsQuery>;

export const CheckpointList = z
  .strictObject({ data: z.array(CheckpointResource), nextCursor: z.string().nullable() })
  .meta({ id: 'CheckpointList' });
export type CheckpointList = z.infer<typeof CheckpointList>;

/** `GET /v1/audit/public-keys`: the verifier keys of checkpoint signatures. */
export const PublicKeyList = z
  .strictObject({
    current: z.string().meta({ description: 'The verifier key (vkey) signing now.' }),
    data: z.array(
      z.strictObject({
        name: z.string(),
        keyId: z.string().regex(/^[0-9a-f]{8}$/),
        vkey: z.string().meta({ description: '`<name>+<hex key id>+<base64(0x01 ‖ public key)>`' }),
        current: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'PublicKeyList' });
export type PublicKeyList = z.infer<typeof PublicKeyList>;

export const BreakReason = z
  .enum([
    'modified',
    'deleted',
    'inserted',
    'reordered',
    'truncated',
    'checkpoint_mismatch',
    'checkpoint_signature_invalid',
    'noncanonical',
  ])
  .meta({ description: 'Why the chain does not verify (docs/api/audit-integrity.md).' });
export type BreakReason = z.infer<typeof BreakReason>;

export const ChainBreak = z.strictObject({
  reason: BreakReason,
  position: z.int().min(0).meta({ description: 'The first position concerned.' }),
  count: z.int().min(1).meta({ description: 'Positions concerned from `position` on.' }),
  recordId: z.string().nullable().meta({ description: "The record's `id`, when known." }),
  line: z
    .int()
    .min(1)
    .nullable()
    .meta({ description: 'Index of the record in the stream read (1-based), when a record.' }),
  detail: z.string(),
});
export type ChainBreak = z.infer<typeof ChainBreak>;

/** `GET /v1/audit/integrity`: always 200 when the check ran; `valid` says how it went. */
export const IntegrityReport = z
  .strictObject({
    valid: z.boolean(),
    workspaceId: WorkspaceId,
    checkedAt: IsoTimestamp,
    records: z.int().min(0).meta({ description: 'Records read.' }),
    expected: z.strictObject({
      start: z.int().min(1).meta({ description: 'Where the chain must start.' }),
      size: z.int().min(0).meta({ description: 'How far it must reach.' }),
    }),
    found: z.strictObject({
      firstPosition: z.int().nullable(),
      lastPosition: z.int().nullable(),
      headHash: ChainHash.nullable(),
    }),
    head: z
      .strictObject({ size: z.int().min(0), headHash: ChainHash, startPosition: z.int().min(1) })
      .nullable()
      .meta({ description: 'The head row audit keeps (not signed: the checkpoint is).' }),
    checkpoint: CheckpointResource.nullable().meta({
      description: 'The latest checkpoint, checked against; null before the first.',
    }),
    breaks: z.array(ChainBreak),
    breaksOmitted: z.int().min(0).meta({ description: 'Breaks beyond the first 1,000.' }),
    durationMs: z.number().min(0),
  })
  .meta({ id: 'IntegrityReport' });
export type IntegrityReport = z.infer<typeof IntegrityReport>;

export const MAX_RETENTION_DAYS = 3650;

/** `GET` and `PUT /v1/audit/retention`. */
export const RetentionResource = z
  .strictObject({
    workspaceId: WorkspaceId,
    days: z.int().min(1).max(MAX_RETENTION_DAYS),
    isDefault: z.boolean().meta({ description: 'Never set: the deployment default applies.' }),
    updatedAt: IsoTimestamp.nullable(),
  })
  .meta({ id: 'RetentionResource' });
export type RetentionResource = z.infer<typeof RetentionResource>;

export const PutRetentionRequest = z
  .strictObject({
    days: z
      .int()
      .min(1)
      .max(MAX_RETENTION_DAYS)
      .meta({ description: 'Trail records and usage older than this many days are pruned.' }),
  })
  .meta({ id: 'PutRetentionRequest' });
export type PutRetentionRequest = z.infer<typeof PutRetentionRequest>;
