import { z } from 'zod';
import { cloudEventSchema } from '../cloud-event';
import { RateLimits } from '../rate-limit';
import { Actor, IsoTimestamp, KeyHash, KeyId, WorkspaceId } from '../scalars';
import { KEY_EVENT_TYPES } from './key-event-types';
import {
  AllowedCidrs,
  Credits,
  KeyEnvironment,
  KeyLast4,
  KeyMetadata,
  KeyName,
  KeyStart,
  OwnerId,
  Scope,
} from './key-fields';

/** A key was created. Its data is the key's full state, enough to verify it. */
export const KeyIssuedV1 = cloudEventSchema(
  KEY_EVENT_TYPES.issued,
  z.strictObject({
    keyId: KeyId,
    workspaceId: WorkspaceId,
    name: KeyName,
    environment: KeyEnvironment,
    keyHash: KeyHash,
    start: KeyStart,
    last4: KeyLast4,
    scopes: z.array(Scope),
    rateLimits: RateLimits,
    credits: Credits.nullable(),
    allowedCidrs: AllowedCidrs.nullable(),
    expiresAt: IsoTimestamp.nullable(),
    ownerId: OwnerId.nullable(),
    metadata: KeyMetadata,
    createdAt: IsoTimestamp,
    createdBy: Actor,
  }),
)
  .extend({ subject: KeyId })
  .superRefine((event, ctx) => {
    if (event.sequence !== 1) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must be 1 for issued' });
    }
    if (event.subject !== event.data.keyId) {
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'must equal data.keyId' });
    }
    if (event.workspaceid !== event.data.workspaceId) {
      ctx.addIssue({
        code: 'custom',
        path: ['workspaceid'],
        message: 'must equal data.workspaceId',
      });
    }
    if (!event.data.start.includes(`_${event.data.environment}_`)) {
      ctx.addIssue({ code: 'custom', path: ['data', 'start'], message: 'must match environment' });
    }
  });
export type KeyIssuedV1 = z.infer<typeof KeyIssuedV1>;
