import { type KeyEnvironment, type MemberRole } from '@keyway/contracts';

/** The authenticated caller of the management API: a Keyway key, capped by its owner's role. */
export interface Principal {
  keyId: string;
  /** HMAC-SHA256(pepper, key), as the read model knows the key: never the key itself. */
  keyHash: string;
  workspaceId: string;
  /** A `test` key manages test keys only (SPEC "Keys"). */
  environment: KeyEnvironment;
  /** The key's scopes intersected with what its owner's role allows now. */
  scopes: readonly string[];
  ownerId: string | null;
  /** The owning member's current role; null for a key not owned by a member. */
  role: MemberRole | null;
}
