// The hand-rolled peer of the gateway's forward auth, kept as a baseline: what a Node team would
// write in an afternoon. Fastify, one Redis GET for the key's record (by HMAC-SHA256 of the key),
// then `rate-limiter-flexible`'s RateLimiterRedis (fixed window): two round trips per request.
//
// Env: HTTP_PORT (required), HTTP_HOST (127.0.0.1), REDIS_URL, KEYWAY_PEPPER, PEER_PREFIX (Redis
// key prefix; records at `<prefix>key:<hash>`, JSON `{ keyId, workspaceId, environment, status,
// scopes }`), PEER_SCOPE (required scope, orders:read), PEER_POINTS / PEER_DURATION_S (the limit).
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

const pepper = process.env.KEYWAY_PEPPER ?? '';
const prefix = process.env.PEER_PREFIX ?? 'peer:';
const scope = process.env.PEER_SCOPE ?? 'orders:read';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const limiter = new RateLimiterRedis({
  storeClient: redis,
  keyPrefix: `${prefix}rl`,
  points: Number(process.env.PEER_POINTS ?? 1_000_000_000),
  duration: Number(process.env.PEER_DURATION_S ?? 60),
});

const app = Fastify({ logger: false });

app.get('/health/ready', async () => ({ status: 'ok' }));

app.all('/v1/authorize', async (request, reply) => {
  const header = request.headers.authorization;
  const key = header?.startsWith('Bearer ') ? header.slice(7) : request.headers['x-api-key'];
  if (typeof key !== 'string' || key === '') {
    return reply.code(401).send({ code: 'UNAUTHORIZED', message: 'no key' });
  }
  const hash = createHmac('sha256', pepper).update(key).digest('hex');
  const raw = await redis.get(`${prefix}key:${hash}`);
  const record = raw === null ? null : JSON.parse(raw);
  if (record === null || record.status !== 'active') {
    return reply.code(401).send({ code: record === null ? 'NOT_FOUND' : 'REVOKED' });
  }
  if (!record.scopes.includes(scope)) return reply.code(403).send({ code: 'INSUFFICIENT_SCOPE' });
  let result;
  try {
    result = await limiter.consume(record.keyId);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return reply
      .code(429)
      .header('retry-after', String(Math.ceil(rejection.msBeforeNext / 1000)))
      .send({ code: 'RATE_LIMITED' });
  }
  return reply
    .code(200)
    .headers({
      'ratelimit-limit': String(limiter.points),
      'ratelimit-remaining': String(result.remainingPoints),
      'ratelimit-reset': String(Math.ceil(result.msBeforeNext / 1000)),
      'x-keyway-key-id': record.keyId,
      'x-keyway-workspace-id': record.workspaceId,
      'x-keyway-environment': record.environment,
      'x-keyway-scopes': record.scopes.join(' '),
    })
    .send();
});

await app.listen({
  port: Number(process.env.HTTP_PORT),
  host: process.env.HTTP_HOST ?? '127.0.0.1',
});
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  void app.close().finally(() => {
    redis.disconnect();
    process.exit(0);
  });
});
