// The pieces the gateway benchmarks (bench/gateway-*.mjs) start and stop: a private Redis, identity
// on a fresh database (for real keys), gateway replicas, the baseline servers of bench/, and a
// clean-up list run on exit or on a signal.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  DIST,
  ROOT,
  freePort,
  log,
  postgres,
  runId,
  startService,
  waitReady,
  identityEnv,
} from './lib.mjs';

/** Where the load generator (and Redis) run, and where the server under test runs. */
export const CPU = {
  load: process.env.BENCH_LOAD_CPU ?? '0',
  server: process.env.BENCH_SERVER_CPU ?? '1',
};

// ---------------------------------------------------------------------------------------------
// Clean-up: every start registers its stop; run in reverse order, once.

const cleanups = [];
let cleaning = null;

export function onCleanup(fn) {
  cleanups.push(fn);
}

export function cleanupAll() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (error) {
        log(`clean-up step failed: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

/** Runs `main`, cleans up after it (also on SIGINT/SIGTERM), exits 1 on error. */
export function runBench(main) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      cleanupAll().finally(() => process.exit(130));
    });
  }
  main()
    .catch((error) => {
      console.error(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
      if (error?.cause) console.error('cause:', error.cause);
      process.exitCode = 1;
    })
    .finally(() => cleanupAll());
}

export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `keyway-${prefix}-`));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Redis of our own: the shared 6379 is never flushed, and commandstats there count other users.

export async function startRedis({ cpus = CPU.load } = {}) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  let output = '';
  const child = spawn('taskset', ['-c', cpus, 'redis-server', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise((done) => child.once('exit', done));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  onCleanup(stop);
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: null,
  });
  probe.on('error', () => undefined); // refused while redis-server starts: retried below
  for (let attempt = 0; ; attempt++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      probe.disconnect();
      if (attempt > 50 || child.exitCode !== null) {
        throw new Error(`redis-server on ${port} did not start: ${String(error)}\n${output}`);
      }
      await sleep(100);
    }
  }
  const version = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? '?';
  probe.disconnect();
  log(`private Redis ${version} on ${url} (cpu ${cpus})`);
  const client = () => {
    const connection = new Redis(url, { maxRetriesPerRequest: 3 });
    connection.on('error', (error) => log(`Redis ${url}: ${String(error)}`));
    onCleanup(() => connection.disconnect()); // before the server stops (clean-up is LIFO)
    return connection;
  };
  return { url, port, version, stop, client };
}

/** `INFO commandstats` as { command: calls }, or { command: µs spent } with `field: 'usec'`. */
export async function commandStats(redis, field = 'calls') {
  const values = {};
  const pattern = new RegExp(`^cmdstat_([^:]+):.*\\b${field}=(\\d+)`);
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = pattern.exec(line.trim());
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Identity: a fresh database, a bootstrapped workspace, keys over HTTP.

export async function startIdentity({ brokers, pepper, tag }) {
  const database = `bench_gw_${tag}_${runId}`.toLowerCase();
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  const postgresVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
  onCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch((error) => {
      log(`could not drop ${database}: ${String(error)}`);
    });
    await admin.end().catch(() => undefined);
    log(`database ${database} dropped`);
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = identityEnv({
    port,
    database,
    brokers,
    groupId: `bench-gw-identity-${tag}-${runId}`,
    pepper: pepper,
  });
  const service = startService('identity', 'apps/identity/src/main.js', env);
  onCleanup(async () => log(`identity stopped (${await service.stop()})`));
  await waitReady(url, service);
  const boot = spawnSync(
    process.execPath,
    [join(DIST, 'apps/identity/src/command.js'), 'bootstrap', '--workspace', 'bench', '--json'],
    { env, encoding: 'utf8', timeout: 60_000 },
  );
  if (boot.status !== 0) throw new Error(`bootstrap failed (${boot.status}): ${boot.stderr}`);
  const { key: ownerKey } = JSON.parse(boot.stdout.trim().split('\n').pop());
  if (typeof ownerKey !== 'string') throw new Error('bootstrap printed no key');
  log(`identity on ${url} (database ${database}), workspace bootstrapped`);

  const call = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ownerKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
  /**
   * One call whose timing matters: resolves with the status as soon as the response head arrived;
   * `done` is the body being read (an ArrayBuffer).
   */
  const send = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ownerKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, done: response.arrayBuffer() };
  };
  return {
    url,
    service,
    postgresVersion: `PostgreSQL ${postgresVersion}`,
    /** `POST /v1/keys`: `{ key, id }`. */
    async issueKey(body) {
      const { status, body: result } = await call('POST', '/v1/keys', body);
      if (status !== 201 || typeof result?.key !== 'string') {
        throw new Error(`POST /v1/keys: ${status} ${JSON.stringify(result)}`);
      }
      return { key: result.key, id: result.id };
    },
    async issueKeys(count, body, concurrency = 16) {
      const keys = new Array(count);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, count) }, async () => {
          for (let i = next++; i < count; i = next++) {
            keys[i] = await this.issueKey({ ...body, name: `${body.name}-${i}` });
          }
        }),
      );
      return keys;
    },
    /** `POST /v1/keys/{id}/revoke`, the status once the response head arrived. */
    revoke(id) {
      return send('POST', `/v1/keys/${id}/revoke`, {});
    },
    /** `PUT /v1/identities/{externalId}`, the status once the response head arrived. */
    putIdentity(externalId, body) {
      return send('PUT', `/v1/identities/${encodeURIComponent(externalId)}`, body);
    },
    /** `DELETE /v1/identities/{externalId}`, the status once the response head arrived. */
    deleteIdentity(externalId) {
      return send('DELETE', `/v1/identities/${encodeURIComponent(externalId)}`);
    },
    /** `PUT /v1/identities/{externalId}` creating it: `201` or an error. */
    async createIdentity(externalId, body) {
      const { status, done } = await this.putIdentity(externalId, body);
      const result = await done;
      if (status !== 201) {
        throw new Error(`PUT /v1/identities/${externalId}: ${status} ${Buffer.from(result)}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway, as deployed: NODE_ENV=production, its own consumer group unless told.

export async function writePolicy(dir, policy) {
  const file = join(dir, 'route-policy.json');
  await writeFile(file, JSON.stringify(policy, null, 2));
  return file;
}

/** BENCH_GATEWAY_ENV: JSON of extra gateway settings for experiments, e.g. a Redis timeout. */
export const extraGatewayEnv = JSON.parse(process.env.BENCH_GATEWAY_ENV || '{}');
export const extraGatewayNote =
  Object.keys(extraGatewayEnv).length > 0
    ? ` Gateway settings changed for this run: \`${JSON.stringify(extraGatewayEnv)}\`.`
    : '';

export async function startGateway({
  name = 'gateway',
  redisUrl,
  brokers,
  pepper,
  groupId,
  cpus = CPU.server,
  policyFile,
  nodeArgs = [],
  env = {},
  wait = true,
  readyTimeoutMs = 120_000,
}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = startService(
    name,
    'apps/gateway/src/main.js',
    {
      ...process.env,
      NODE_ENV: 'production',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_ID: groupId,
      KEYWAY_PEPPER: pepper,
      GATEWAY_SESSION_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
      GATEWAY_INVALID_KEY_LIMIT: '1000000000',
      LOG_LEVEL: 'warn',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...(policyFile ? { GATEWAY_ROUTE_POLICY_FILE: policyFile } : {}),
      ...extraGatewayEnv,
      ...env,
    },
    { cpus, nodeArgs },
  );
  onCleanup(async () => log(`${name} stopped (${await service.stop()})`));
  if (wait) {
    await waitReady(url, service, readyTimeoutMs);
    log(`${name} ready on ${url} (cpu ${cpus ?? 'any'})`);
  }
  return { url, port, service };
}

/** `POST /v1/verify` → the parsed body (and status); `request` adds to `{ key }` (`scopes`…). */
export async function verifyOnce(gatewayUrl, key, request = {}) {
  const response = await fetch(`${gatewayUrl}/v1/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, ...request }),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** Polls `/v1/verify` until the key is VALID (the projection has it), for `request` if given. */
export async function waitValid(gatewayUrl, key, timeoutMs = 60_000, request = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await verifyOnce(gatewayUrl, key, request).catch((error) => ({
      status: -1,
      body: String(error),
    }));
    if (last.body?.code === 'VALID') return;
    await sleep(20);
  }
  throw new Error(`key never VALID at ${gatewayUrl}: ${JSON.stringify(last)}`);
}

// ---------------------------------------------------------------------------------------------
// The baselines kept in bench/: bare node:http, and the hand-rolled Fastify peer.

export async function startBaseline(name, file, env, { cpus = CPU.server } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = startService(
    name,
    join(ROOT, 'bench', file),
    { ...process.env, NODE_ENV: 'production', HTTP_PORT: String(port), ...env },
    { cpus },
  );
  onCleanup(async () => log(`${name} stopped (${await service.stop()})`));
  await waitReady(url, service);
  log(`${name} ready on ${url} (cpu ${cpus})`);
  return { url, port, service };
}

/** Requests answered per `route status`, from the service's Prometheus metrics. */
export async function answeredByStatus(serviceUrl) {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  const counts = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('keyway_http_request_duration_seconds_count{')) continue;
    const route = /route="([^"]*)"/.exec(line)?.[1];
    const status = /status="([^"]*)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    counts.set(`${route} ${status}`, (counts.get(`${route} ${status}`) ?? 0) + value);
  }
  return counts;
}

/** `after - before` of two answeredByStatus maps, for one route: { status: count }. */
export function statusDelta(before, after, route) {
  const delta = {};
  for (const [name, value] of after) {
    const [r, status] = name.split(' ');
    if (r !== route) continue;
    const d = value - (before.get(name) ?? 0);
    if (d > 0) delta[status] = d;
  }
  return delta;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc; NaN when gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return NaN;
  }
}

/** Redis's own CPU seconds (user + system), from `INFO cpu`. */
export async function redisCpuSeconds(redis) {
  const info = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
  return user + sys;
}
