import {
  type CreatedWorkspace,
  type CreateKeyRequest,
  type CreateWorkspaceRequest,
  type KeyWithSecret,
  type RevokeKeyRequest,
  type RotateKeyRequest,
  TOPICS,
} from '@keyway/contracts';
import { expectEventually, TopicReader } from '@keyway/platform-testing';
import { Stack } from '../support/stack';

/**
 * A key's secret is in the response that creates it and nowhere else: not in any database row,
 * Kafka message, Redis value or log line, even at debug level.
 */
describe('no secret anywhere', () => {
  const stack = new Stack(undefined, { LOG_LEVEL: 'debug' });
  const readers = [new TopicReader(TOPICS.keys), new TopicReader(TOPICS.workspaces)];

  beforeAll(async () => {
    await Promise.all(readers.map((reader) => reader.start()));
    await stack.start('identity', 'gateway', 'audit');
  });

  afterAll(async () => {
    await Promise.all(readers.map((reader) => reader.stop()));
    await stack.stop();
  });

  it('after creating, rotating and revoking keys, no secret is stored, published or logged', async () => {
    const owner = stack.bootstrap();
    const api = stack.identityApi(owner.key);
    const secrets = [owner.key];
    const ids: string[] = [];
    const keep = (body: KeyWithSecret) => {
      secrets.push(body.key);
      ids.push(body.id);
      return body;
    };

    const a = keep(
      (
        await api.post<KeyWithSecret>('/v1/keys', {
          name: 'a',
          scopes: ['x:read'],
        } satisfies CreateKeyRequest)
      ).json,
    );
    keep(
      (
        await api.post<KeyWithSecret>('/v1/keys', { name: 'b' } satisfies CreateKeyRequest, {
          'Idempotency-Key': 'secret-scan',
        })
      ).json,
    );
    const rotate = (body: RotateKeyRequest) =>
      api.post<KeyWithSecret>(`/v1/keys/${a.id}/rotate`, body);
    keep((await rotate({ gracePeriod: '1h' })).json);
    keep((await rotate({})).json);
    expect(
      (await api.post(`/v1/keys/${a.id}/revoke`, { reason: 'scan' } satisfies RevokeKeyRequest))
        .status,
    ).toBe(200);
    const other = await api.post<CreatedWorkspace>('/v1/workspaces', {
      name: 'scan',
      owner: { email: 's@x.example' },
    } satisfies CreateWorkspaceRequest);
    keep(other.json.key);
    // A failed call carrying a secret: the bearer header must not be echoed or logged.
    expect((await api.post('/v1/keys', { name: 42 })).status).toBe(400);
    expect((await stack.identityApi(a.key).post('/v1/keys', { name: 'x' })).status).toBe(401);
    // A careless client naming a key by its secret, in the path (a request log records paths).
    const live = secrets[2] as string;
    expect((await api.get(`/v1/keys/${live}`)).status).toBe(404);
    expect((await api.post(`/v1/keys/${live}/revoke`, {})).status).toBe(404);
    expect((await api.get(`/v1/identities/${live}`)).status).toBe(404);
    expect((await api.get(`/v1/nothing/${owner.key}`)).status).toBe(404);
    expect(secrets.every((secret) => /^kw_(live|test)_\w{36}$/.test(secret))).toBe(true);

    const identityDb = await stack.identityDatabase();
    const auditDb = await stack.auditDatabase();
    const eventIds = (await identityDb.query('SELECT event_id FROM event_store')).rows.map(
      (row: { event_id: string }) => row.event_id,
    );
    await expectEventually(
      async () => {
        const audited = await auditDb.query(
          'SELECT count(*) AS n FROM audit_events WHERE event_id = ANY($1)',
          [eventIds],
        );
        expect(Number(audited.rows[0].n)).toBe(eventIds.length);
        for (const id of ids) expect(await stack.redis.exists(`keyway:key:{${id}}`)).toBe(1);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );

    const dumpDatabase = async (client: typeof identityDb) => {
      const tables = await client.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
      );
      const rows = await Promise.all(
        tables.rows.map(async ({ tablename }: { tablename: string }) =>
          JSON.stringify((await client.query(`SELECT * FROM "${tablename}"`)).rows),
        ),
      );
      return rows.join('\n');
    };
    const redisValue = async (name: string): Promise<unknown> => {
      const type = await stack.redis.type(name);
      if (type === 'hash') return stack.redis.hgetall(name);
      if (type === 'set') return stack.redis.smembers(name);
      if (type === 'zset') return stack.redis.zrange(name, 0, -1, 'WITHSCORES');
      if (type === 'list') return stack.redis.lrange(name, 0, -1);
      if (type === 'stream') return stack.redis.xrange(name, '-', '+');
      return stack.redis.get(name);
    };
    const redisValues = await Promise.all(
      (await stack.redis.keys('keyway:*')).map(async (name) =>
        JSON.stringify(await redisValue(name)),
      ),
    );
    const everything = [
      await dumpDatabase(identityDb),
      await dumpDatabase(auditDb),
      ...redisValues,
      ...readers.flatMap((reader) =>
        reader.messages().map((message) => `${message.key} ${message.value}`),
      ),
      ...[...stack.services.values()].map((service) => service.output()),
    ].join('\n');

    expect(everything.length).toBeGreaterThan(10_000); // the scan really saw the data
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(8)); // the body without its prefix
    }
  });
});
