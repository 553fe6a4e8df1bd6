import { DomainError } from '@keyway/platform-observability';

export const KeyErrorCode = {
  KEY_EXISTS: 'KEY_EXISTS',
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  /** The key is revoked or expired: the command needs an active one. */
  KEY_NOT_ACTIVE: 'KEY_NOT_ACTIVE',
  EXPIRY_IN_PAST: 'EXPIRY_IN_PAST',
  /** `ownerId` names a member that is not (or no longer) in the workspace. */
  KEY_OWNER_NOT_MEMBER: 'KEY_OWNER_NOT_MEMBER',
  /** `ownerId` is not a member id and names no live identity of the workspace. */
  KEY_OWNER_NOT_FOUND: 'KEY_OWNER_NOT_FOUND',
  /** The change would move a key to or away from an identity. */
  KEY_OWNER_FIXED: 'KEY_OWNER_FIXED',
  /** `keyway:*` scopes on an identity's key, or `["*"]` on a key no identity owns. */
  KEY_SCOPES_NOT_ALLOWED: 'KEY_SCOPES_NOT_ALLOWED',
  /** A list cursor this API did not return. */
  INVALID_CURSOR: 'INVALID_CURSOR',
} as const;
export type KeyErrorCode = (typeof KeyErrorCode)[keyof typeof KeyErrorCode];

/** A key command or query refused: by the key's state, or by what it refers to. */
export class KeyError extends DomainError<KeyErrorCode> {
  static notFound(): KeyError {
    return new KeyError(KeyErrorCode.KEY_NOT_FOUND, 'key not found');
  }
}
