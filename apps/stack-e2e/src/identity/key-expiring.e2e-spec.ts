import {
  type BootstrapResult,
  type CreateKeyRequest,
  KEY_EVENT_TYPES,
  KeyExpiringV1,
  type KeyResource,
  type KeyWithSecret,
  type RotateKeyRequest,
  TOPICS,
  type UpdateKeyRequest,
} from '@keyway/contracts';
import { expectEventually, TopicReader } from '@keyway/platform-testing';
import { type Api } from '../support/api';
import { Stack } from '../support/stack';

const LEAD_TIME_MS = 3_000;

/**
 * `keyway.key.expiring.v1` the lead time before a secret stops, exactly once per expiry on the
 * topic, with two identity replicas scanning (short lead time and expiries so it runs in seconds).
 */
describe('key expiring soon', () => {
  const stack = new Stack(undefined, {
    EXPIRY_SCAN_INTERVAL_MS: '100',
    KEY_EXPIRING_LEAD_TIME: `${LEAD_TIME_MS / 1000}s`,
  });
  const reader = new TopicReader(TOPICS.keys);
  let owner: BootstrapResult;
  let api: Api;

  beforeAll(async () => {
    await reader.start();
    await stack.start('identity', 'audit');
    await stack.startReplica('identity'); // a second replica scans the same keys
    owner = stack.bootstrap();
    api = stack.identityApi(owner.key);
  });

  afterAll(async () => {
    await reader.stop();
    await stack.stop();
  });

  const issue = async (body: Partial<CreateKeyRequest> = {}) => {
    const created = await api.post<KeyWithSecret>('/v1/keys', {
      name: 'expiring',
      scopes: ['reports:read'],
      ...body,
    } satisfies CreateKeyRequest);
    expect(created.status).toBe(201);
    return created.json;
  };
  /** The `key.expiring` events of `keyId` on the topic, in order. */
  const announced = (keyId: string): KeyExpiringV1[] =>
    reader
      .messages()
      .filter((message) => message.key === keyId)
      .map((message) => message.json as { type?: string })
      .filter((event) => event.type === KEY_EVENT_TYPES.expiring)
      .map((event) => KeyExpiringV1.parse(event));
  /** Several scans of both replicas after `at`. */
  const settleAfter = (at: string) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(at) - Date.now()) + 600));

  it("announces each key's expiry once, the lead time before it, and not a key further off", async () => {
    const expiresAt = new Date(Date.now() + LEAD_TIME_MS + 2_000).toISOString();
    const keys = await Promise.all(Array.from({ length: 5 }, () => issue({ expires: expiresAt })));
    const later = await issue({ expires: new Date(Date.now() + 3_600_000).toISOString() });

    await expectEventually(
      () => {
        for (const key of keys) expect(announced(key.id)).toHaveLength(1);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    for (const key of keys) {
      const [event] = announced(key.id);
      expect(event?.data).toEqual({ secret: 'current', expiresAt });
      // Sent within the lead time, before the key stops.
      const sent = Date.parse(event?.time ?? '');
      expect(sent).toBeGreaterThanOrEqual(Date.parse(expiresAt) - LEAD_TIME_MS);
      expect(sent).toBeLessThan(Date.parse(expiresAt));
    }

    await settleAfter(expiresAt); // the keys expire; both replicas keep scanning
    for (const key of keys) {
      // (Eventually: on a loaded machine the scheduler's key.expired may trail the settle.)
      await expectEventually(async () =>
        expect((await api.get<KeyResource>(`/v1/keys/${key.id}`)).json.status).toBe('expired'),
      );
      expect(announced(key.id)).toHaveLength(1);
    }
    expect(announced(later.id)).toEqual([]);

    // The audit trail keeps them like any other key event.
    const audit = await stack.auditDatabase();
    // A new audit group reads the shared topic from its start, one message per commit: on a
    // broker with a long history it takes a while to reach these.
    await expectEventually(
      async () => {
        const { rows } = await audit.query(
          `SELECT subject, count(*)::int AS n FROM audit_events
          WHERE type = $1 AND subject = ANY($2) GROUP BY subject`,
          [KEY_EVENT_TYPES.expiring, keys.map((key) => key.id)],
        );
        expect(rows).toHaveLength(5);
        for (const row of rows) expect(row.n).toBe(1);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  it('announces an expiry moved while announced again, once for the new time', async () => {
    const first = new Date(Date.now() + 2_000).toISOString(); // inside the lead time: at once
    const key = await issue({ expires: first });
    await expectEventually(() => expect(announced(key.id)).toHaveLength(1), { timeoutMs: 10_000 });

    const second = new Date(Date.now() + 2_500).toISOString();
    const updated = await api.patch(`/v1/keys/${key.id}`, {
      expiresAt: second,
    } satisfies UpdateKeyRequest);
    expect(updated.status).toBe(200);
    await settleAfter(second);
    // (Eventually: the outbox relay and the topic may trail the settle on a loaded machine.)
    await expectEventually(() =>
      expect(announced(key.id).map((event) => event.data)).toEqual([
        { secret: 'current', expiresAt: first },
        { secret: 'current', expiresAt: second },
      ]),
    );
  });

  it('announces a rotated-out secret once per rotation, before its grace period ends', async () => {
    const keys = await Promise.all(Array.from({ length: 3 }, () => issue()));
    const rotate = async (keyId: string, gracePeriod: string) => {
      const rotated = await api.post<KeyWithSecret>(`/v1/keys/${keyId}/rotate`, {
        gracePeriod,
      } satisfies RotateKeyRequest);
      expect(rotated.status).toBe(200);
      return rotated.json.previousKeyExpiresAt ?? '';
    };
    // A grace longer than the lead time is announced the lead time before it ends.
    const graceEnds = await Promise.all(keys.map((key) => rotate(key.id, '5s')));
    await expectEventually(
      () => {
        for (const key of keys) expect(announced(key.id)).toHaveLength(1);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    keys.forEach((key, index) => {
      const [event] = announced(key.id);
      expect(event?.data).toEqual({ secret: 'previous', expiresAt: graceEnds[index] });
      expect(Date.parse(event?.time ?? '')).toBeLessThan(Date.parse(graceEnds[index] ?? ''));
    });

    // Rotating again makes a new previous secret: announced once more (the grace is shorter
    // than the lead time, so at once).
    const again = await rotate(keys[0]?.id ?? '', '2s');
    await settleAfter(graceEnds.reduce((a, b) => (a > b ? a : b)));
    await settleAfter(again);
    await expectEventually(() =>
      expect(announced(keys[0]?.id ?? '').map((event) => event.data)).toEqual([
        { secret: 'previous', expiresAt: graceEnds[0] },
        { secret: 'previous', expiresAt: again },
      ]),
    );
    for (const key of keys.slice(1)) expect(announced(key.id)).toHaveLength(1);
  });
});
