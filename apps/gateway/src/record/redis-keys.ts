import { createHash } from 'node:crypto';

/**
 * Where a key's record lives. A key owned by an identity lives under its identity's hash tag
 * (`tag`), beside the identity's record and shared windows, so one script reads them all on
 * Redis Cluster; every other key under its own id. Ownership by an identity never changes after
 * issue, so neither does a key's location: the hash index may name it and be cached in process.
 */
export interface KeyLocation {
  readonly keyId: string;
  /** The owning identity's hash tag, or null: the key's own id is its tag. */
  readonly tag: string | null;
}

/**
 * Pure: the hash tag of the identity `externalId` of a workspace: 128 bits of SHA-256, so two
 * identities never share a record. Derived from what both key events (`workspaceId`, `ownerId`)
 * and identity events (`workspaceid`, `externalId`) carry.
 */
export function identityTag(workspaceId: string, externalId: string): string {
  return createHash('sha256').update(`${workspaceId}\n${externalId}`).digest('hex').slice(0, 32);
}

/** Pure: a location as the hash index stores it: the key id, or `<tag>/<key id>`. */
export function encodeLocation({ keyId, tag }: KeyLocation): string {
  return tag === null ? keyId : `${tag}/${keyId}`;
}

export function decodeLocation(value: string): KeyLocation {
  const slash = value.indexOf('/');
  return slash < 0
    ? { keyId: value, tag: null }
    : { keyId: value.slice(slash + 1), tag: value.slice(0, slash) };
}

/**
 * Every Redis key the gateway writes. Keys read or written by one script share the `{…}` hash tag
 * of the aggregate they belong to, so every script runs unchanged on Redis Cluster:
 * a key's record and its rate-limit windows carry `{key id}`, or, for a key owned by an identity,
 * the identity's tag, which its record and shared windows carry too; a member's record and its key
 * set carry `{member id}`. The hash index (`{hash}`) and key locations are read on their own,
 * outside any script.
 */
export const redisKeys = {
  /** Hash: everything verification needs of one key, precomputed at projection time. */
  record: (keyId: string, tag: string | null = null) =>
    tag === null ? `keyway:key:{${keyId}}` : `keyway:key:{${tag}}:${keyId}`,
  /** Hash: one named sliding window of one key (bucket index → count, `w` = window ms). */
  rateLimit: (keyId: string, name: string, tag: string | null = null) =>
    tag === null ? `keyway:rl:{${keyId}}:${name}` : `keyway:rl:{${tag}}:${keyId}:${name}`,
  /** String: key hash → key location (`encodeLocation`). Never changes once written: cacheable. */
  hashIndex: (keyHash: string) => `keyway:hash:{${keyHash}}`,
  /** String: key id → its identity's tag, for keys owned by an identity (their later events). */
  keyTag: (keyId: string) => `keyway:keytag:{${keyId}}`,
  /** Hash: an identity's current life (id, sequence, scopes, shared limits), or its tombstone. */
  identity: (tag: string) => `keyway:identity:{${tag}}`,
  /** Hash: one named sliding window shared by all keys of an identity. */
  identityRateLimit: (tag: string, name: string) => `keyway:identity:{${tag}}:rl:${name}`,
  /** Hash: a member's current role and the sequence it was applied at. */
  member: (memberId: string) => `keyway:member:{${memberId}}`,
  /** Set: ids of the keys a member owns (or once owned), to re-cap them when its role changes. */
  memberKeys: (memberId: string) => `keyway:member:{${memberId}}:keys`,
  /** Hash: next offset to apply per `topic:partition`, for one consumer group's projection. */
  progress: (groupId: string) => `keyway:projection:{${groupId}}`,
  /**
   * Hash: per `topic:partition`, the progress it had when a replica found it recreated and set
   * it back (same hash tag as `progress`, written with it in one transaction).
   */
  rewinds: (groupId: string) => `keyway:projection-rewinds:{${groupId}}`,
  /**
   * Hash: per `topic:partition`, the mark (`messageMark`) of the message just before the progress
   * (same hash tag as `progress`, written with it in one transaction).
   */
  marks: (groupId: string) => `keyway:projection-marks:{${groupId}}`,
} as const;
