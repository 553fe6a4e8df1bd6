import { Redis } from 'ioredis';
import { TOPICS, TOPIC_SPECS, type KeyEvent, type WorkspaceEvent } from '@keyway/contracts';
import { createKafka, ensureTopics, EventPublisher } from '@keyway/platform-kafka';
import {
  startThrowawayKafka,
  startThrowawayRedis,
  type ThrowawayKafka,
  type ThrowawayRedis,
} from '@keyway/platform-testing';
import { generateKey, hashKey } from '@keyway/key-material';
import { identityTag, redisKeys } from '../record/redis-keys';
import { TEST_PEPPER, verificationOn } from '../verification/verification.fixture';
import { identityEvents } from './identity-events.fixture';
import { keyEvents } from './key-events.fixture';
import { rebuildProjection } from './projection-rebuild';

const at = (iso: string) => new Date(iso).toISOString();

/**
 * Identities come back from Kafka alone: a rebuild (and so a replay after Redis lost its data,
 * which runs the same applier) reproduces every identity's current life, whatever order the two
 * topics are read in. Own broker and own Redis: the rebuild reads the topics from offset 0.
 */
describe('identities in a projection rebuilt from Kafka (own broker, own Redis)', () => {
  let kafka: ThrowawayKafka;
  let server: ThrowawayRedis;
  let redis: Redis;

  beforeAll(async () => {
    [kafka, server] = await Promise.all([startThrowawayKafka(), startThrowawayRedis()]);
    redis = new Redis(server.url, { enableAutoPipelining: true });
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    await kafka?.wipe();
  });

  it('rebuilds identities and their keys: current scopes, deletions, recreations', async () => {
    const client = createKafka({ brokers: [...kafka.brokers], clientId: 'identities-int' });
    await ensureTopics(client, TOPIC_SPECS);
    const publisher = new EventPublisher(client);
    const gw = verificationOn(redis, { GATEWAY_REDIS_TIMEOUT_MS: '5000' });

    const kept = identityEvents('user_kept', 'ws_rebuild');
    const first = identityEvents('user_again', 'ws_rebuild');
    const second = identityEvents('user_again', 'ws_rebuild');
    const workspace: WorkspaceEvent[] = [
      kept.created({
        scopes: ['orders:read'],
        rateLimits: [{ name: 'default', limit: 2, window: '60s', windowMs: 60_000 }],
      }),
      kept.updated(2, { scopes: ['orders:read', 'reports:*'] }),
      first.created({ scopes: ['orders:read'], createdAt: at('2026-01-01T00:00:00Z') }),
      first.deleted(2, at('2026-01-02T00:00:00Z')),
      second.created({ scopes: ['users:read'], createdAt: at('2026-01-03T00:00:00Z') }),
    ];
    const keyed = (ownerId: string, createdAt: string) => {
      const secret = generateKey('kw', 'live');
      const keyHash = hashKey(TEST_PEPPER, secret);
      const issued = keyEvents(undefined, 'ws_rebuild').issued({
        ownerId,
        createdAt,
        scopes: ['*'],
        keyHash,
      });
      return { secret, issued };
    };
    const keptKey = keyed('user_kept', at('2026-01-01T01:00:00Z'));
    const oldKey = keyed('user_again', at('2026-01-01T01:00:00Z'));
    const newKey = keyed('user_again', at('2026-01-03T01:00:00Z'));
    const issued: KeyEvent[] = [keptKey.issued, oldKey.issued, newKey.issued];
    await publisher.send([
      ...issued.map((event) => ({
        topic: TOPICS.keys,
        key: event.subject,
        value: JSON.stringify(event),
      })),
      ...workspace.map((event) => ({
        topic: TOPICS.workspaces,
        key: event.workspaceid,
        value: JSON.stringify(event),
      })),
    ]);
    await publisher.disconnect();

    const expectRebuilt = async (sharedRemaining: number) => {
      expect(await gw.verify(keptKey.secret, { scopes: ['reports:export'] })).toMatchObject({
        code: 'VALID',
        scopes: ['orders:read', 'reports:*'],
        ratelimit: { limit: 2, remaining: sharedRemaining },
      });
      expect((await gw.verify(oldKey.secret)).code).toBe('REVOKED');
      expect(await gw.verify(newKey.secret, { scopes: ['users:read'] })).toMatchObject({
        code: 'VALID',
        scopes: ['users:read'],
      });
      expect(
        await redis.hget(redisKeys.identity(identityTag('ws_rebuild', 'user_again')), 'id'),
      ).toBe(second.identityId);
    };

    // Redis lost everything (this Redis is ours alone).
    await redis.flushall();
    const groupId = 'identities-int-projection';
    const rebuilt = await rebuildProjection(redis, client, groupId);
    expect(rebuilt).toMatchObject({ events: 8, keys: 3, parked: 0 });
    await expectRebuilt(1);
    // Replayed again over itself (a redelivery, or `--force`): the same projection, and the
    // shared window keeps what it counted.
    await rebuildProjection(redis, client, groupId, { force: true });
    await expectRebuilt(0);
  }, 120_000);
});
