import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { IsoTimestamp, WorkspaceId } from '../scalars';
import { ChainHash } from './audit-record';
import { CHECKPOINT_EVENT_TYPES } from './checkpoint-event-types';

/** A C2SP signed note holding a checkpoint (docs/api/audit-integrity.md "Checkpoints"). */
export const CheckpointNote = z.string().min(1).max(65_536).meta({
  description:
    'The signed checkpoint: a C2SP signed note (c2sp.org/signed-note) whose text is a c2sp.org/tlog-checkpoint body. The only field a verifier needs; the others are copies of its text.',
});

/** The fields of a signed checkpoint, as served and published. */
export const CheckpointFields = z.strictObject({
  workspaceId: WorkspaceId,
  sequence: z
    .int()
    .min(1)
    .meta({ description: "1, 2, 3… per workspace: the checkpoint's number." }),
  origin: z.string().min(1).max(512).meta({ description: "The note's first line." }),
  size: z.int().min(0).meta({ description: "Position of the chain's last record; 0 when empty." }),
  headHash: ChainHash.meta({ description: 'Hash of the record at `size` (genesis when empty).' }),
  startPosition: z
    .int()
    .min(1)
    .meta({ description: 'First position still stored (retention prunes before it).' }),
  startPrevHash: ChainHash.meta({ description: 'Hash of the record before `startPosition`.' }),
  signedAt: IsoTimestamp,
  keyName: z.string().min(1).max(256),
  keyId: z
    .string()
    .regex(/^[0-9a-f]{8}$/)
    .meta({ description: 'The signing key id, 4 bytes as hex.' }),
  note: CheckpointNote,
});
export type CheckpointFields = z.infer<typeof CheckpointFields>;

/**
 * Audit signed a workspace chain's head. Published every interval for every workspace, also when
 * nothing changed; the subject is `<workspace id>/audit-chain` and `sequence` the checkpoint's
 * number, so (subject, sequence) is the idempotency key.
 */
export const CheckpointSignedV1 = cloudEventSchema(CHECKPOINT_EVENT_TYPES.signed, CheckpointFields)
  .extend({
    subject: z
      .string()
      .regex(/^ws_[0-9A-Za-z]{1,64}\/audit-chain$/)
      .meta({ description: '`<workspace id>/audit-chain`.' }),
  })
  .superRefine((event, ctx) => {
    if (event.subject !== `${event.data.workspaceId}/audit-chain`) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'must be <workspaceId>/audit-chain',
      });
    }
    if (event.workspaceid !== event.data.workspaceId) {
      ctx.addIssue({
        code: 'custom',
        path: ['workspaceid'],
        message: 'must equal data.workspaceId',
      });
    }
    if (event.sequence !== event.data.sequence) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must equal data.sequence' });
    }
  });
export type CheckpointSignedV1 = z.infer<typeof CheckpointSignedV1>;
