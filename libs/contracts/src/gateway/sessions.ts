import { z } from 'zod';
import { IsoTimestamp, KeyId, WorkspaceId } from '../scalars';

export const SESSION_MAX_TTL_SECONDS = 3600;

/** `POST /v1/sessions`: exchanges the key for a short-lived signed token. */
export const CreateSessionRequest = z
  .strictObject({
    key: z.string().min(1).max(4096),
    ttlSeconds: z.int().min(1).max(SESSION_MAX_TTL_SECONDS).default(900),
  })
  .meta({ id: 'CreateSessionRequest' });
export type CreateSessionRequest = z.input<typeof CreateSessionRequest>;

export const SessionResponse = z
  .object({
    token: z.string().meta({ description: 'Accepted wherever a key is, until it expires.' }),
    expiresAt: IsoTimestamp,
    keyId: KeyId,
    workspaceId: WorkspaceId,
  })
  .meta({ id: 'SessionResponse' });
export type SessionResponse = z.infer<typeof SessionResponse>;
