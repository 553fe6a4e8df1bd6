import { Injectable } from '@nestjs/common';
import { type Cluster, Redis } from 'ioredis';
import { type MemberRole } from '@keyway/contracts';
import { markRecord, type StoredProgress, storedProgress } from '@keyway/platform-kafka';
import { encodeLocation, redisKeys } from '../record/redis-keys';
import { APPLY_IDENTITY_LUA, type IdentityApplyOutcome } from './apply-identity.script';
import { APPLY_KEY_EVENT_LUA, type ApplyOutcome } from './apply-key-event.script';
import { APPLY_MEMBER_LUA, APPLY_OWNER_CAP_LUA } from './apply-member.script';
import { type IdentityRecordChange } from './identity-record-change';
import { REWIND_PROGRESS_LUA } from './rewind-progress.script';
import { type KeyRecordChange } from './key-record-change';

export interface MemberChange {
  readonly memberId: string;
  readonly sequence: number;
  readonly role: MemberRole | 'removed';
}

type ScriptClient = (Redis | Cluster) & {
  keywayApplyKeyEvent(key: string, ...args: string[]): Promise<[ApplyOutcome, string, string]>;
  keywayApplyMember(key: string, sequence: string, role: string): Promise<number>;
  keywayApplyOwnerCap(key: string, member: string, role: string, seq: string): Promise<number>;
  keywayApplyIdentity(key: string, ...args: string[]): Promise<[IdentityApplyOutcome, string]>;
  keywayRewindProgress(
    progress: string,
    rewinds: string,
    marks: string,
    field: string,
    from: string,
    to: string,
  ): Promise<number>;
};

/** Registers the projection's scripts on a connection (EVALSHA, loaded again after NOSCRIPT). */
export function withProjectionScripts(redis: Redis | Cluster): ScriptClient {
  const client = redis as ScriptClient;
  if (typeof client.keywayApplyKeyEvent !== 'function') {
    redis.defineCommand('keywayApplyKeyEvent', { numberOfKeys: 1, lua: APPLY_KEY_EVENT_LUA });
    redis.defineCommand('keywayApplyMember', { numberOfKeys: 1, lua: APPLY_MEMBER_LUA });
    redis.defineCommand('keywayApplyOwnerCap', { numberOfKeys: 1, lua: APPLY_OWNER_CAP_LUA });
    redis.defineCommand('keywayApplyIdentity', { numberOfKeys: 1, lua: APPLY_IDENTITY_LUA });
    redis.defineCommand('keywayRewindProgress', { numberOfKeys: 3, lua: REWIND_PROGRESS_LUA });
  }
  return client;
}

/**
 * The gateway's projection in Redis: key records, the hash index, members and their keys,
 * identities, and how far each partition has been applied. Commands of a batch are issued together (ioredis
 * auto-pipelining, per node on a Cluster) and each event is applied by one atomic script.
 */
@Injectable()
export class ProjectionStore {
  private readonly redis: ScriptClient;

  constructor(redis: Redis) {
    this.redis = withProjectionScripts(redis);
  }

  static on(redis: Redis | Cluster): ProjectionStore {
    return new ProjectionStore(redis as Redis);
  }

  /**
   * Applies key changes in order (per key) and returns each one's outcome. A key owned by an
   * identity lives under the identity's tag: its `issued` says so, and records it (`keyTag`)
   * before the record is written, so its later events find the record.
   */
  async applyKeyChanges(changes: readonly KeyRecordChange[]): Promise<ApplyOutcome[]> {
    const tags = await this.keyTags(changes);
    const results = await Promise.all(
      changes.map((change) => {
        const args = [
          String(change.sequence),
          change.kind,
          change.status,
          change.clear.join(','),
          change.creditsSet ? '1' : '0',
          ...change.fields.flat(),
        ];
        const tag = tags.get(change.keyId) ?? null;
        return this.redis.keywayApplyKeyEvent(redisKeys.record(change.keyId, tag), ...args);
      }),
    );
    const followUps: Array<Promise<unknown>> = [];
    const capped: KeyRecordChange[] = [];
    results.forEach(([outcome, hash, previousHash], index) => {
      const change = changes[index];
      if (!change || (outcome !== 'applied' && outcome !== 'gap')) return;
      const tag = tags.get(change.keyId) ?? null;
      const location = encodeLocation({ keyId: change.keyId, tag });
      for (const entry of change.hashes) {
        const key = redisKeys.hashIndex(entry.hash);
        followUps.push(
          entry.expiresAtMs === undefined
            ? this.redis.set(key, location)
            : this.redis.set(key, location, 'PXAT', entry.expiresAtMs),
        );
      }
      for (const gone of [hash, previousHash].filter((value) => value !== '')) {
        followUps.push(this.redis.del(redisKeys.hashIndex(gone)));
      }
      // A key owned by an identity never moves to a member (identity refuses it), so it is never
      // capped by a role: its identity caps it.
      if (change.memberOwner !== null && tag === null) {
        followUps.push(this.redis.sadd(redisKeys.memberKeys(change.memberOwner), change.keyId));
        capped.push(change);
      }
    });
    await Promise.all(followUps);
    await this.capByOwners(capped);
    return results.map(([outcome]) => outcome);
  }

  /**
   * Each changed key's tag (null: its own id). `issued` knows it and records it first (the
   * mapping never changes, so writing it again on a replay is harmless); later events look it up.
   */
  private async keyTags(changes: readonly KeyRecordChange[]): Promise<Map<string, string | null>> {
    const tags = new Map<string, string | null>();
    const writes: Array<Promise<unknown>> = [];
    for (const change of changes) {
      if (change.tag === undefined || tags.has(change.keyId)) continue;
      tags.set(change.keyId, change.tag);
      if (change.tag !== null)
        writes.push(this.redis.set(redisKeys.keyTag(change.keyId), change.tag));
    }
    const unknown = [...new Set(changes.map(({ keyId }) => keyId))].filter((id) => !tags.has(id));
    const [found] = await Promise.all([
      Promise.all(unknown.map((keyId) => this.redis.get(redisKeys.keyTag(keyId)))),
      Promise.all(writes),
    ]);
    unknown.forEach((keyId, index) => tags.set(keyId, found[index] ?? null));
    return tags;
  }

  /**
   * Applies identity changes (one script each, judging the identity's life and sequence) and
   * returns each one's outcome. A newly created life starts its shared windows empty, whatever
   * an earlier life of the same external id left in them.
   */
  async applyIdentityChanges(
    changes: readonly IdentityRecordChange[],
  ): Promise<IdentityApplyOutcome[]> {
    const results = await Promise.all(
      changes.map((change) =>
        this.redis.keywayApplyIdentity(
          redisKeys.identity(change.tag),
          change.identityId,
          String(change.sequence),
          change.kind,
          String(change.atMs),
          change.workspaceId,
          change.externalId,
          change.clear.join(','),
          ...change.fields.flat(),
        ),
      ),
    );
    const resets: Array<Promise<unknown>> = [];
    results.forEach(([outcome, replaced], index) => {
      const change = changes[index];
      if (!change || change.kind !== 'created' || (outcome !== 'applied' && outcome !== 'gap')) {
        return;
      }
      const previous = replaced === '' ? [] : (JSON.parse(replaced) as string[]);
      const names = [...new Set([...previous, ...change.rateLimitNames])];
      if (names.length > 0) {
        resets.push(
          this.redis.del(...names.map((name) => redisKeys.identityRateLimit(change.tag, name))),
        );
      }
    });
    await Promise.all(resets);
    return results.map(([outcome]) => outcome);
  }

  /**
   * Records members' roles, then re-caps every key each member owns. Together with
   * `capByOwners` (which adds a key to its member's set before reading the member), whichever of
   * a key event and a role change comes second sees the other: the key ends capped by the
   * latest role.
   */
  async applyMemberChanges(changes: readonly MemberChange[]): Promise<number> {
    const applied = await Promise.all(
      changes.map((change) =>
        this.redis.keywayApplyMember(
          redisKeys.member(change.memberId),
          String(change.sequence),
          change.role,
        ),
      ),
    );
    const changed = changes.filter((_, index) => applied[index] === 1);
    const keyIds = await Promise.all(
      changed.map((change) => this.redis.smembers(redisKeys.memberKeys(change.memberId))),
    );
    await Promise.all(
      changed.flatMap((change, index) =>
        (keyIds[index] ?? []).map((keyId) =>
          this.redis.keywayApplyOwnerCap(
            redisKeys.record(keyId),
            change.memberId,
            change.role,
            String(change.sequence),
          ),
        ),
      ),
    );
    return changed.length;
  }

  private async capByOwners(changes: readonly KeyRecordChange[]): Promise<void> {
    const members = await Promise.all(
      changes.map((change) =>
        this.redis.hmget(redisKeys.member(change.memberOwner ?? ''), 'role', 'seq'),
      ),
    );
    await Promise.all(
      changes.map((change, index) => {
        const [role, seq] = members[index] ?? [];
        if (!role || !seq || change.memberOwner === null) return undefined;
        return this.redis.keywayApplyOwnerCap(
          redisKeys.record(change.keyId),
          change.memberOwner,
          role,
          seq,
        );
      }),
    );
  }

  /** Next offset to apply per `topic:partition`, as recorded for a consumer group. */
  async progress(groupId: string): Promise<Map<string, bigint>> {
    const fields = await this.redis.hgetall(redisKeys.progress(groupId));
    return new Map(Object.entries(fields).map(([field, value]) => [field, BigInt(value)]));
  }

  /** Where a consumer group stands on one partition: its next offset and mark, read together. */
  async partitionProgress(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<StoredProgress> {
    const field = `${topic}:${partition}`;
    const replies = await this.redis
      .multi()
      .hget(redisKeys.progress(groupId), field)
      .hget(redisKeys.marks(groupId), field)
      .exec();
    const [next, mark] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return typeof value === 'string' ? value : null;
    });
    return storedProgress(next ? BigInt(next) : 0n, mark);
  }

  /**
   * Sets a recreated partition's progress back from `from` to `nextOffset`, noting `from` and
   * forgetting the mark, in one script, if it is still `from` (returns whether it was): the
   * replicas watching the progress then know it fell on purpose, and a replica that applied a
   * batch meanwhile is not undone.
   */
  async rewindProgress(
    groupId: string,
    topic: string,
    partition: number,
    from: bigint,
    nextOffset: bigint,
  ): Promise<boolean> {
    const rewound = await this.redis.keywayRewindProgress(
      redisKeys.progress(groupId),
      redisKeys.rewinds(groupId),
      redisKeys.marks(groupId),
      `${topic}:${partition}`,
      String(from),
      String(nextOffset),
    );
    return rewound === 1;
  }

  /** The progress each rewound partition had when it was set back (`rewindProgress`). */
  async rewinds(groupId: string): Promise<Map<string, bigint>> {
    const fields = await this.redis.hgetall(redisKeys.rewinds(groupId));
    return new Map(Object.entries(fields).map(([field, value]) => [field, BigInt(value)]));
  }

  /**
   * Records the next offset to apply and the mark of the message before it (null: unknown), in
   * one transaction.
   */
  async recordProgress(
    groupId: string,
    topic: string,
    partition: number,
    nextOffset: bigint,
    mark: string | null,
  ): Promise<void> {
    const field = `${topic}:${partition}`;
    const transaction = this.redis
      .multi()
      .hset(redisKeys.progress(groupId), field, String(nextOffset));
    await (
      mark === null
        ? transaction.hdel(redisKeys.marks(groupId), field)
        : transaction.hset(redisKeys.marks(groupId), field, markRecord({ next: nextOffset, mark }))
    ).exec();
  }
}
