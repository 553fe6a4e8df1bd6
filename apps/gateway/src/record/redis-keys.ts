/**
 * Every Redis key the gateway writes. Keys read or written by one script share the `{…}` hash tag
 * of the aggregate they belong to, so every script runs unchanged on Redis Cluster:
 * a key's record and its rate-limit windows carry `{key id}`; a member's record and its key set
 * carry `{member id}`. The hash index (`{hash}`) is read on its own, outside any script.
 */
export const redisKeys = {
  /** Hash: everything verification needs of one key, precomputed at projection time. */
  record: (keyId: string) => `keyway:key:{${keyId}}`,
  /** Hash: one named sliding window of one key (bucket index → count, `w` = window ms). */
  rateLimit: (keyId: string, name: string) => `keyway:rl:{${keyId}}:${name}`,
  /** String: key hash → key id. Never changes once written, so it may be cached in process. */
  hashIndex: (keyHash: string) => `keyway:hash:{${keyHash}}`,
  /** Hash: a member's current role and the sequence it was applied at. */
  member: (memberId: string) => `keyway:member:{${memberId}}`,
  /** Set: ids of the keys a member owns (or once owned), to re-cap them when its role changes. */
  memberKeys: (memberId: string) => `keyway:member:{${memberId}}:keys`,
  /** Hash: next offset to apply per `topic:partition`, for one consumer group's projection. */
  progress: (groupId: string) => `keyway:projection:{${groupId}}`,
} as const;
