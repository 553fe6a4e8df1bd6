import { type KeyIssuedV1 } from '@keyway/contracts';

type IssuedData = KeyIssuedV1['data'];

export type KeyStatus = 'active' | 'revoked' | 'expired' | 'deleted';

/** A key as rebuilt from its events. Holds hashes, never the secret. */
export interface KeyState extends IssuedData {
  status: KeyStatus;
  lastRotatedAt: string | null;
  /** The secret replaced by the last rotation, valid until `previousKeyExpiresAt`. */
  previousKeyHash: string | null;
  previousKeyExpiresAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  /** The `expiresAt` last announced by `key.expiring` (`secret: "current"`); null if none. */
  expiringNotifiedFor: string | null;
  /** The `previousKeyExpiresAt` announced for the current previous secret; null if none. */
  previousExpiringNotifiedFor: string | null;
  version: number;
}

/** The settings `PATCH /v1/keys/{id}` may change. */
export type KeyChanges = Partial<
  Pick<
    KeyState,
    | 'name'
    | 'scopes'
    | 'rateLimits'
    | 'credits'
    | 'allowedCidrs'
    | 'expiresAt'
    | 'ownerId'
    | 'metadata'
  >
>;
