import { type CreateKeyRequest, type KeyWithSecret, TOPICS } from '@keyway/contracts';
import {
  expectEventually,
  startThrowawayKafka,
  type ThrowawayKafka,
  TopicReader,
} from '@keyway/platform-testing';
import { Stack } from '../support/stack';

/**
 * With the broker down identity keeps accepting changes into its outbox; when the broker is back
 * every event arrives, in order per key, none lost. Runs on its own broker.
 */
describe('outbox while the broker is down', () => {
  let kafka: ThrowawayKafka;
  let stack: Stack;
  let reader: TopicReader;

  beforeAll(async () => {
    kafka = await startThrowawayKafka();
    stack = new Stack(kafka.brokers.join(','));
    await stack.start('identity');
    reader = new TopicReader(TOPICS.keys, { brokers: kafka.brokers });
    await reader.start();
  }, 240_000);

  afterAll(async () => {
    await reader?.stop();
    await stack?.stop();
    await kafka?.wipe();
  });

  it('issues 100 keys and revokes half of them with the broker stopped; all 150 events arrive in order', async () => {
    const api = stack.identityApi(stack.bootstrap().key);
    await kafka.kill();

    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const created = await api.post<KeyWithSecret>('/v1/keys', {
        name: `offline-${i}`,
      } satisfies CreateKeyRequest);
      expect(created.status).toBe(201);
      ids.push(created.json.id);
      if (i % 2 === 0)
        expect((await api.post(`/v1/keys/${created.json.id}/revoke`, {})).status).toBe(200);
    }
    const database = await stack.identityDatabase();
    expect(
      Number(
        (await database.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL'))
          .rows[0].n,
      ),
    ).toBeGreaterThanOrEqual(150);

    await kafka.start();
    await expectEventually(
      () => {
        const mine = reader
          .messages()
          .filter((message) => message.key !== null && ids.includes(message.key));
        expect(
          new Set(
            mine.map(
              (message) => `${message.key}:${(message.json as { sequence: number }).sequence}`,
            ),
          ).size,
        ).toBe(150);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    for (const [i, id] of ids.entries()) {
      const sequences = reader
        .messages()
        .filter((message) => message.key === id)
        .map((message) => (message.json as { sequence: number; type: string }).sequence);
      // In order per key (a redelivered duplicate may repeat a sequence, never reorder one).
      expect([...new Set(sequences)]).toEqual(i % 2 === 0 ? [1, 2] : [1]);
      expect(sequences).toEqual([...sequences].sort((x, y) => x - y));
    }
    expect(
      Number(
        (await database.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL'))
          .rows[0].n,
      ),
    ).toBe(0);
  });
});
