import { type KeyIssuedV1 } from '@keyway/contracts';

type IssuedData = KeyIssuedV1['data'];

export type KeyStatus = 'active' | 'revoked' | 'expired';

/** A key as rebuilt from its events. */
export interface KeyState extends IssuedData {
  status: KeyStatus;
  lastRotatedAt: string | null;
  version: number;
}
