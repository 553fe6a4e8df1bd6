import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { TOPIC_SPECS } from '@keyway/contracts';
import {
  expectEventually,
  startThrowawayKafka,
  type ThrowawayKafka,
} from '@keyway/platform-testing';
import { Api } from './support/api';
import { type BootstrapResult, Stack } from './support/stack';

const keysTopic = (() => {
  const spec = TOPIC_SPECS.find((each) => each.name === 'keyway.keys.v1');
  if (spec === undefined) throw new Error('no keys topic in TOPIC_SPECS');
  return spec;
})();

interface IssuedKey {
  id: string;
  key: string;
}

/**
 * Kafka loses its data (a cluster rebuilt from nothing, a topic deleted and recreated): the
 * partitions start again at offset 0, below where the gateway and audit stood. What identity
 * publishes next (a revocation above all) must still reach both; nothing may be skipped because
 * its offset is one they had already passed. Runs on its own broker.
 */
describe('broker data lost, topics recreated', () => {
  let kafka: ThrowawayKafka;
  let stack: Stack;
  let owner: BootstrapResult;

  beforeAll(async () => {
    kafka = await startThrowawayKafka();
    stack = new Stack(kafka.brokers.join(','));
    await stack.start('identity', 'gateway', 'audit');
    owner = stack.bootstrap();
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await kafka?.wipe();
  });

  /** identity's API as the workspace's owner: POST `path` with `body`. */
  const identity = <T = Record<string, unknown>>(path: string, body: unknown) =>
    stack.identityApi(owner.key).post<T>(path, body);

  async function issueKeys(count: number, label: string): Promise<IssuedKey[]> {
    const keys: IssuedKey[] = [];
    for (let i = 0; i < count; i++) {
      const response = await identity<IssuedKey>('/v1/keys', { name: `${label}-${i}` });
      expect(response.status).toBe(201);
      keys.push(response.json);
    }
    return keys;
  }

  /** A gateway's verdict on a key (the stack's gateway unless `url` is given). */
  const verdict = async (key: string, url = stack.service('gateway').url): Promise<string> =>
    (await new Api(url).post<{ code: string }>('/v1/verify', { key })).json.code;

  async function expectVerdicts(expected: Array<[IssuedKey, string]>, timeoutMs: number) {
    await expectEventually(
      async () => {
        const got = await Promise.all(expected.map(async ([key]) => verdict(key.key)));
        expect(got).toEqual(expected.map(([, code]) => code));
      },
      // Each verification counts against the key's rate limit (100 a minute): poll gently.
      { timeoutMs, intervalMs: 1_000 },
    );
  }

  /** Each (subject, event type) is on audit's trail exactly once. */
  async function expectTrail(expected: Array<[string, string]>, timeoutMs: number) {
    const audit = await stack.auditDatabase();
    await expectEventually(
      async () => {
        const { rows } = await audit.query<{ subject: string; type: string; n: number }>(
          `SELECT subject, type, count(*)::int AS n FROM audit_events
            WHERE subject = ANY($1) GROUP BY subject, type`,
          [expected.map(([subject]) => subject)],
        );
        const count = new Map(rows.map(({ subject, type, n }) => [`${subject} ${type}`, n]));
        expect(
          expected.map(([subject, type]) => [subject, type, count.get(`${subject} ${type}`)]),
        ).toEqual(expected.map(([subject, type]) => [subject, type, 1]));
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** Issues keys and waits until the gateway verifies them and audit's trail holds them. */
  async function issueSettled(count: number, label: string): Promise<IssuedKey[]> {
    const keys = await issueKeys(count, label);
    await expectVerdicts(
      keys.map((key) => [key, 'VALID']),
      60_000,
    );
    await expectTrail(
      keys.map((key) => [key.id, 'keyway.key.issued.v1']),
      60_000,
    );
    return keys;
  }

  async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Kafka({
      clientId: 'e2e-recreate-topics',
      brokers: [...kafka.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Where the gateway's projection stands per `topic:partition`, as it records in Redis. */
  async function gatewayProgress(): Promise<Map<string, bigint>> {
    const fields = await stack.redis.hgetall(
      `keyway:projection:{${stack.groupPrefix}-gateway-projection}`,
    );
    return new Map(Object.entries(fields).map(([field, value]) => [field, BigInt(value)]));
  }

  async function deleteAndCreate(topic: string, partitions: number): Promise<void> {
    await withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
      await expectEventually(async () => expect(await admin.listTopics()).not.toContain(topic), {
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: partitions }],
      });
    });
  }

  it('reads a recreated partition from its start when it grew past the stored progress while the consumers were down', async () => {
    const before = await issueSettled(6, 'down');
    await stack.stopService('audit');
    await stack.stopService('gateway');
    const progress = await gatewayProgress();

    // With no consumer running, the key topic is recreated and identity publishes until some
    // partition holds as many messages as the gateway had applied of the old one: comparing its
    // end with the progress can no longer tell, only what lies just before the progress can.
    await deleteAndCreate(keysTopic.name, keysTopic.partitions);
    for (const key of before) {
      expect((await identity(`/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
    }
    const after: IssuedKey[] = [];
    const grownPast = async (): Promise<boolean> => {
      const ends = await withAdmin((admin) => admin.fetchTopicOffsets(keysTopic.name));
      return ends.some(({ partition, high }) => {
        const applied = progress.get(`${keysTopic.name}:${partition}`) ?? 0n;
        return applied > 0n && BigInt(high) >= applied;
      });
    };
    await expectEventually(
      async () => {
        if (!(await grownPast())) after.push(...(await issueKeys(3, `down-after-${after.length}`)));
        expect(await grownPast()).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    await stack.start('gateway', 'audit');
    await expectVerdicts(
      [
        ...before.map((key): [IssuedKey, string] => [key, 'REVOKED']),
        ...after.map((key): [IssuedKey, string] => [key, 'VALID']),
      ],
      60_000,
    );
    await expectTrail(
      [
        ...before.map((key): [string, string] => [key.id, 'keyway.key.revoked.v1']),
        ...after.map((key): [string, string] => [key.id, 'keyway.key.issued.v1']),
      ],
      60_000,
    );
    // Both found a partition that holds other messages below the offset they had reached.
    for (const name of ['gateway', 'audit'] as const) {
      expect(stack.service(name).output()).toMatch(/holds another message than the one applied/);
    }
  });

  it('applies what is published after the loss, though its offsets are below the stored progress', async () => {
    // Enough events that every partition's stored progress is well above what follows the loss.
    const before = await issueSettled(36, 'before');

    // The broker dies and comes back with nothing: its log directory is gone.
    await kafka.kill();
    rmSync(join(kafka.dataDir, 'data'), { recursive: true, force: true });
    await kafka.start();
    // The operator recreates the topics (Strimzi's KafkaTopic does it by itself).
    await withAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: TOPIC_SPECS.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions })),
      }),
    );

    const revoked = before.slice(0, 4);
    for (const key of revoked) {
      expect((await identity(`/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
    }
    const after = await issueKeys(3, 'after');

    await expectVerdicts(
      [
        ...revoked.map((key): [IssuedKey, string] => [key, 'REVOKED']),
        ...after.map((key): [IssuedKey, string] => [key, 'VALID']),
        [before[10] as IssuedKey, 'VALID'],
      ],
      90_000,
    );
    await expectTrail(
      [
        ...revoked.map((key): [string, string] => [key.id, 'keyway.key.revoked.v1']),
        ...after.map((key): [string, string] => [key.id, 'keyway.key.issued.v1']),
      ],
      90_000,
    );
  });

  /** `keyway_gateway_projection_replays_total` of a gateway: how often it took Redis for lost. */
  const replaysOf = async (url: string): Promise<number> => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const line = /^keyway_gateway_projection_replays_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics);
    return Number(line?.[1] ?? 0);
  };

  it('keeps up when the key topic is deleted and created again while everything runs', async () => {
    // Two gateways share the partitions: each reads its own again, and neither may take the
    // other's rewind for Redis losing its data (that would answer 503 while it "replays").
    const peer = await stack.startReplica('gateway');
    const gateways = [stack.service('gateway').url, peer.url];
    const replaysBefore = await Promise.all(gateways.map(replaysOf));
    const before = await issueKeys(36, 'again');
    await expectVerdicts(
      before.map((key) => [key, 'VALID']),
      60_000,
    );
    await deleteAndCreate(keysTopic.name, keysTopic.partitions);

    const revoked = before.slice(0, 3);
    for (const key of revoked) {
      expect((await identity(`/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
    }
    const after = await issueKeys(2, 'again-after');
    await expectVerdicts(
      [
        ...revoked.map((key): [IssuedKey, string] => [key, 'REVOKED']),
        ...after.map((key): [IssuedKey, string] => [key, 'VALID']),
        [before[20] as IssuedKey, 'VALID'],
      ],
      90_000,
    );
    // The peer has caught up too, and answers the same.
    for (const key of revoked) expect(await verdict(key.key, peer.url)).toBe('REVOKED');
    expect(await Promise.all(gateways.map(replaysOf))).toEqual(replaysBefore);
    await expectTrail(
      [
        ...revoked.map((key): [string, string] => [key.id, 'keyway.key.revoked.v1']),
        ...after.map((key): [string, string] => [key.id, 'keyway.key.issued.v1']),
      ],
      90_000,
    );
  });
});
