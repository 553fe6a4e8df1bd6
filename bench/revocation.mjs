// Benchmark: how fast a revocation reaches the gateway's Redis projection.
//
//   node bench/revocation.mjs          (bash bench/run.sh revocation builds the services and
//                                       brings a broker)
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST (the built services, default <repo>/dist),
//      REDIS_URL (redis://127.0.0.1:6379), BENCH_REVOKES (300 keys per variant),
//      BENCH_REVOKE_CONCURRENCY (16, the loaded variant), BENCH_REVOKE_PAUSE_MS (20, between the
//      unloaded revokes), BENCH_REVOKE_WARMUP (20), BENCH_REVOKE_TIMEOUT_MS (30000 per key),
//      BENCH_COMMAND (the command line written to the report), BENCH_WRITE_DOCS (1; 0 leaves
//      docs/benchmarks.md alone), POSTGRES_HOST/PORT/USER/PASSWORD (127.0.0.1, 5432, postgres).
//
// It starts identity (against a fresh database) and gateway as processes on free ports,
// bootstraps a workspace, issues keys and waits until the gateway has projected each of them
// into Redis. Then it revokes them over HTTP, one at a time (unloaded) and with concurrent
// revokers (loaded), and for each key measures the time from the revoke response to the key's
// record (`keyway:key:{<keyId>}`, a hash) having field `status` = `revoked`, polling Redis on a
// connection of its own. It prints a Markdown table, rewrites its section of docs/benchmarks.md,
// stops both services, removes its keys' records and hash index entries from Redis and drops the
// database. (bench/gateway-revocation.mjs measures the whole way, to the gateway's answers.)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  brokersOrExit,
  DIST,
  DOC,
  freePort,
  identityEnv,
  intEnv,
  log,
  machine,
  ms,
  postgres,
  rate,
  runId,
  sec,
  startService,
  summary,
  table,
  waitReady,
  writeSection,
} from './lib.mjs';

const SLOW_MS = 1000;
// As apps/gateway/src/record/redis-keys.ts (`redisKeys.record`, `redisKeys.hashIndex`) for keys
// no identity owns (the benchmark's keys): the record is a hash (`status`, `h` = current key
// hash, `ph` = previous one, …); the hash index maps a key hash to the key's location.
const keyRecord = (keyId) => `keyway:key:{${keyId}}`;
const hashIndex = (keyHash) => `keyway:hash:{${keyHash}}`;

const params = {
  revokes: intEnv('BENCH_REVOKES', 300, 1),
  concurrency: intEnv('BENCH_REVOKE_CONCURRENCY', 16, 1),
  pauseMs: intEnv('BENCH_REVOKE_PAUSE_MS', 20),
  warmup: intEnv('BENCH_REVOKE_WARMUP', 20),
  timeoutMs: intEnv('BENCH_REVOKE_TIMEOUT_MS', 30_000, 1000),
  issueConcurrency: 16,
};
const brokers = brokersOrExit();
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const database = `bench_revocation_${runId}`;

// ---------------------------------------------------------------------------------------------
// Identity's API

async function issueKeys(url, key, count, prefix) {
  const ids = new Array(count);
  const failures = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(params.issueConcurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const response = await fetch(`${url}/v1/keys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `${prefix}-${i}`, scopes: ['bench:read'] }),
        });
        const body = await response.json().catch(() => null);
        if (response.status === 201 && typeof body?.id === 'string') ids[i] = body.id;
        else failures.push({ status: response.status, body });
      }
    }),
  );
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${count} keys not issued`, { cause: failures[0] });
  }
  return ids;
}

/** Every key id of the workspace (the owner key included), for the Redis clean-up. */
async function listKeyIds(url, key) {
  const ids = [];
  let cursor = null;
  do {
    const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(`${url}/v1/keys?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (response.status !== 200) throw new Error(`GET /v1/keys: ${response.status}`);
    const body = await response.json();
    for (const item of body.data) ids.push(item.id);
    cursor = body.nextCursor;
  } while (cursor);
  return ids;
}

/**
 * `POST /v1/keys/{id}/revoke`; `received` is when the response (status and headers) arrived,
 * `onReceived` runs at that moment, before the body is read.
 */
async function revoke(url, key, id, onReceived) {
  const sent = performance.now();
  let status = -1;
  let received = NaN;
  let watched = null;
  try {
    const response = await fetch(`${url}/v1/keys/${id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    received = performance.now();
    status = response.status;
    if (status === 200) watched = onReceived(received);
    await response.arrayBuffer();
  } catch {
    status = -1;
  }
  return { id, sent, received, http: received - sent, status, watched };
}

// ---------------------------------------------------------------------------------------------
// Redis: the gateway's projection, polled on a connection of the benchmark's own

async function statuses(redis, ids) {
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hget(keyRecord(id), 'status');
  const results = (await pipe.exec()) ?? [];
  return results.map(([error, status]) => (error ? null : status));
}

/** Waits until every id is in the projection with status `active`; returns how many are not. */
async function waitProjected(redis, ids, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let missing = ids;
  for (;;) {
    const next = [];
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const found = await statuses(redis, chunk);
      chunk.forEach((id, j) => found[j] !== 'active' && next.push(id));
    }
    missing = next;
    if (missing.length === 0 || performance.now() >= deadline) return missing.length;
    await sleep(50);
  }
}

/**
 * One poll loop for all keys being watched: while any is pending it reads their `status` in one
 * pipeline, notes when each first shows `revoked`, and sleeps 1 ms before the next round.
 */
function revocationWatcher(redis) {
  const pending = new Map(); // id -> { since, deadline, done }
  let running = false;
  let rounds = 0;
  let busyMs = 0;

  async function loop() {
    running = true;
    const started = performance.now();
    try {
      while (pending.size > 0) {
        const ids = [...pending.keys()];
        let found;
        try {
          found = await statuses(redis, ids);
        } catch {
          found = ids.map(() => null);
        }
        const now = performance.now();
        rounds++;
        ids.forEach((id, i) => {
          const entry = pending.get(id);
          if (found[i] === 'revoked') {
            pending.delete(id);
            entry.done({ seenAt: now, latency: now - entry.since });
          } else if (now >= entry.deadline) {
            pending.delete(id);
            entry.done(null);
          }
        });
        if (pending.size > 0) await sleep(1);
      }
    } finally {
      busyMs += performance.now() - started;
      running = false;
    }
  }

  return {
    /** Resolves with `{ seenAt, latency }` (ms after `since`), or null after the timeout. */
    watch(id, since) {
      const result = new Promise((done) => {
        pending.set(id, { since, deadline: since + params.timeoutMs, done });
      });
      if (!running) loop();
      return result;
    },
    /** Mean time between two reads of the same pending key. */
    get meanPeriodMs() {
      return rounds > 0 ? busyMs / rounds : NaN;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The two variants

/** One revoke at a time: wait until it shows in Redis, pause, next. */
async function revokeUnloaded(url, key, watcher, ids, pauseMs) {
  const started = performance.now();
  const results = [];
  for (const id of ids) {
    const r = await revoke(url, key, id, (received) => watcher.watch(id, received));
    r.seen = r.watched ? await r.watched : null;
    results.push(r);
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return { started, results };
}

/**
 * `concurrency` revokers, each taking the next key as soon as its previous revoke answered
 * (without waiting for Redis), while the watcher follows every revoked key.
 */
async function revokeLoaded(url, key, watcher, ids, concurrency) {
  const results = new Array(ids.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        results[i] = await revoke(url, key, ids[i], (received) => watcher.watch(ids[i], received));
      }
    }),
  );
  const httpEnded = performance.now();
  for (const r of results) r.seen = r.watched ? await r.watched : null;
  return { started, httpEnded, results };
}

function outcome(run) {
  const ok = run.results.filter((r) => r.status === 200);
  const seen = ok.filter((r) => r.seen !== null);
  const latency = summary(seen.map((r) => r.seen.latency));
  const statusCounts = {};
  for (const r of run.results) {
    if (r.status !== 200) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
  }
  const lastSeen = Math.max(run.started, ...seen.map((r) => r.seen.seenAt));
  return {
    ok: ok.length,
    errors: run.results.length - ok.length,
    statusCounts,
    missing: ok.length - seen.length,
    latency,
    slow: latency.over(SLOW_MS),
    fromSent: summary(seen.map((r) => r.seen.seenAt - r.sent)),
    http: summary(ok.map((r) => r.http)),
    wallMs: (run.httpEnded ?? performance.now()) - run.started,
    lastSeenMs: lastSeen - run.started,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const quartet = (s) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.max)}`;

function figures(r) {
  const u = r.unloaded;
  const l = r.loaded;
  return [
    [
      `Unloaded (1 revoker, ${params.pauseMs} ms pause): keys revoked`,
      `${u.ok} of ${params.revokes}, ${u.errors} errors, ${u.missing} never seen revoked`,
    ],
    [
      'Unloaded: revoke response → Redis `revoked`, p50 / p90 / p99 / max',
      `**${quartet(u.latency)}**`,
    ],
    [`Unloaded: over ${SLOW_MS / 1000} s`, `**${u.slow}** of ${u.latency.count}`],
    [
      'Unloaded: revoke request sent → Redis `revoked`, p50 / p99',
      `${ms(u.fromSent.p50)} / ${ms(u.fromSent.p99)}`,
    ],
    ['Unloaded: revoke HTTP latency p50 / p99', `${ms(u.http.p50)} / ${ms(u.http.p99)}`],
    [
      `Loaded (${params.concurrency} concurrent revokers): keys revoked`,
      `${l.ok} of ${params.revokes}, ${l.errors} errors, ${l.missing} never seen revoked`,
    ],
    [
      'Loaded: revoke response → Redis `revoked`, p50 / p90 / p99 / max',
      `**${quartet(l.latency)}**`,
    ],
    [`Loaded: over ${SLOW_MS / 1000} s`, `**${l.slow}** of ${l.latency.count}`],
    [
      'Loaded: revoke request sent → Redis `revoked`, p50 / p99',
      `${ms(l.fromSent.p50)} / ${ms(l.fromSent.p99)}`,
    ],
    ['Loaded: revoke HTTP latency p50 / p99', `${ms(l.http.p50)} / ${ms(l.http.p99)}`],
    [
      'Loaded: revoke throughput; first request → last key `revoked` in Redis',
      `${rate((l.ok / l.wallMs) * 1000)} (${params.revokes} in ${sec(l.wallMs)}); ${sec(l.lastSeenMs)}`,
    ],
    ['Redis poll period (mean, per pending key)', ms(r.pollPeriodMs)],
  ];
}

function section(r) {
  const m = r.machine;
  return `## Gateway: a revocation reaching Redis

Measured ${r.date} with:

\`\`\`bash
${r.command}
\`\`\`

**Machine:** ${m.nproc} vCPUs (${m.cpu}), ${m.memGb} GB RAM (\`free -g\` total), Node ${m.node},
${r.postgresVersion}, Redis ${r.redisVersion}, a single-node Kafka broker (${r.brokerNote}). Load
average (1, 5, 15 min) just before the measured runs: ${r.load}. Everything, the benchmark
included, runs on this one machine.

**Parameters:** identity and gateway as processes (\`LOG_LEVEL=warn\`, their defaults otherwise,
identity on a fresh database, gateway on a fresh consumer group); ${2 * params.revokes + params.warmup}
keys issued and each seen \`active\` in Redis before any revoke; ${params.warmup} warm-up revokes
not measured. Unloaded: ${params.revokes} keys revoked one at a time, each followed until it shows
in Redis, then a ${params.pauseMs} ms pause. Loaded: ${params.revokes} other keys revoked by
${params.concurrency} concurrent clients, each sending its next revoke as soon as the previous one
answered. Body \`{}\`, owner key as bearer, \`fetch\` with keep-alive.

${table(figures(r))}

What is measured:

- **Revoke response → Redis \`revoked\`**: from the moment the \`200\` of
  \`POST /v1/keys/{id}/revoke\` arrived at the client (\`performance.now()\` when \`fetch\`
  resolved) to the first read of the key's record \`keyway:key:{<keyId>}\` (a hash) whose field
  \`status\` is \`revoked\`. That is the window in which a client already told "revoked" would
  still find the key \`active\` in the gateway's projection: outbox relay (woken by \`NOTIFY\`) →
  Kafka (\`keyway.keys.v1\`) → the gateway's consumer → its apply script (one \`EVALSHA\`).
- The benchmark polls Redis on its own ioredis connection: one pipeline reading every pending key,
  then a 1 ms sleep, so a figure is late by up to one poll period (mean in the table). No keyspace
  notifications (they would need a change to the shared Redis's configuration).
- **Over 1 s** counts keys slower than the "well under a second" the product promises.
- Percentiles are nearest-rank over the keys of a variant. One run: on a shared
  ${m.nproc}-vCPU machine the figures move from run to run.`;
}

// ---------------------------------------------------------------------------------------------
// Main

/** Deletes the projection's records (and hash index entries) of the given keys. */
async function forgetKeys(redis, ids) {
  let removed = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const read = redis.pipeline();
    for (const id of chunk) read.hmget(keyRecord(id), 'h', 'ph');
    const hashes = (await read.exec()) ?? [];
    const del = redis.pipeline();
    chunk.forEach((id, j) => {
      const [error, found] = hashes[j] ?? [];
      if (!error && found) {
        for (const keyHash of found) if (keyHash) del.del(hashIndex(keyHash));
      }
      del.del(keyRecord(id));
    });
    for (const [, count] of (await del.exec()) ?? []) removed += Number(count) || 0;
  }
  return removed;
}

async function main() {
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  const postgresVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
  const redis = new Redis(redisUrl, {
    connectionName: `keyway-bench-revocation-${runId}`,
    maxRetriesPerRequest: 3,
  });
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  let identity;
  let gateway;
  let keyIds = [];
  let closed = false;
  const cleanup = async () => {
    if (closed) return;
    closed = true;
    const codes = await Promise.all(
      [identity, gateway].filter(Boolean).map(async (s) => `${s.name} ${await s.stop()}`),
    );
    if (codes.length) log(`stopped (exit codes): ${codes.join(', ')}`);
    if (keyIds.length > 0) {
      const removed = await forgetKeys(redis, keyIds).catch((error) => {
        log(`could not remove the bench keys from Redis: ${String(error)}`);
        return 0;
      });
      log(`removed ${removed} Redis entries of ${keyIds.length} bench keys`);
    }
    redis.disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch((error) => {
      log(`could not drop ${database}: ${String(error)}`);
    });
    log(`database ${database} dropped`);
    await admin.end().catch(() => undefined);
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: cleaning up`);
      cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const mach = machine();
    const [identityPort, gatewayPort] = [await freePort(), await freePort()];
    const identityUrl = `http://127.0.0.1:${identityPort}`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const common = {
      ...process.env,
      NODE_ENV: 'development',
      HTTP_HOST: '127.0.0.1',
      KAFKA_BROKERS: brokers.join(','),
      LOG_LEVEL: 'warn',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    const identityProcessEnv = identityEnv({
      port: identityPort,
      database,
      brokers,
      groupId: `bench-identity-svc-${runId}`,
      pepper: randomBytes(32).toString('base64url'),
    });
    const gatewayEnv = {
      ...common,
      HTTP_PORT: String(gatewayPort),
      REDIS_URL: redisUrl,
      KAFKA_GROUP_ID: `bench-gateway-svc-${runId}`,
    };

    log(`identity on ${identityUrl} (database ${database}), gateway on ${gatewayUrl}`);
    log(`Kafka ${brokers.join(',')}, Redis ${redisUrl}`);
    identity = startService('identity', 'apps/identity/src/main.js', identityProcessEnv);
    gateway = startService('gateway', 'apps/gateway/src/main.js', gatewayEnv);
    await Promise.all([waitReady(identityUrl, identity), waitReady(gatewayUrl, gateway)]);
    log('identity and gateway ready');

    const boot = spawnSync(
      process.execPath,
      [join(DIST, 'apps/identity/src/command.js'), 'bootstrap', '--workspace', 'bench', '--json'],
      { env: identityProcessEnv, encoding: 'utf8', timeout: 60_000 },
    );
    if (boot.status !== 0) throw new Error(`bootstrap failed (${boot.status}): ${boot.stderr}`);
    const { key } = JSON.parse(boot.stdout.trim().split('\n').pop());
    if (typeof key !== 'string') throw new Error('bootstrap printed no key');
    log('workspace bootstrapped');

    const total = params.warmup + 2 * params.revokes;
    const issueStarted = performance.now();
    const ids = await issueKeys(identityUrl, key, total, 'revoke');
    keyIds = ids;
    const notProjected = await waitProjected(redis, ids, 120_000);
    if (notProjected > 0) throw new Error(`${notProjected} keys never showed up in Redis`);
    log(`${total} keys issued and projected in ${sec(performance.now() - issueStarted)}`);

    const watcher = revocationWatcher(redis);
    const warmIds = ids.slice(0, params.warmup);
    const unloadedIds = ids.slice(params.warmup, params.warmup + params.revokes);
    const loadedIds = ids.slice(params.warmup + params.revokes);
    if (warmIds.length > 0) {
      const warm = outcome(await revokeUnloaded(identityUrl, key, watcher, warmIds, 0));
      if (warm.errors > 0 || warm.missing > 0) {
        throw new Error(`warm-up: ${warm.errors} errors, ${warm.missing} never seen revoked`);
      }
      log(`warm-up: ${warm.ok} revokes, p50 ${ms(warm.latency.p50)}`);
    }

    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(', ');
    log(`unloaded: ${params.revokes} revokes, ${params.pauseMs} ms pause (load ${load})`);
    const unloaded = outcome(
      await revokeUnloaded(identityUrl, key, watcher, unloadedIds, params.pauseMs),
    );
    log(`unloaded: p50 ${ms(unloaded.latency.p50)}, max ${ms(unloaded.latency.max)}`);
    log(`loaded: ${params.revokes} revokes, ${params.concurrency} revokers`);
    const loaded = outcome(
      await revokeLoaded(identityUrl, key, watcher, loadedIds, params.concurrency),
    );
    log(`loaded: p50 ${ms(loaded.latency.p50)}, max ${ms(loaded.latency.max)}`);

    keyIds = await listKeyIds(identityUrl, key).catch(() => ids); // with the owner key

    const result = {
      date,
      machine: mach,
      load,
      postgresVersion: `PostgreSQL ${postgresVersion}`,
      redisVersion,
      brokerNote: process.env.BENCH_BROKER_NOTE ?? `at ${brokers.join(',')}`,
      command: process.env.BENCH_COMMAND ?? 'node bench/revocation.mjs',
      unloaded,
      loaded,
      pollPeriodMs: watcher.meanPeriodMs,
    };

    console.log(`\n${table(figures(result))}\n`);
    for (const [name, r] of [
      ['unloaded', unloaded],
      ['loaded', loaded],
    ]) {
      if (r.errors > 0) console.log(`${name} errors by status: ${JSON.stringify(r.statusCounts)}`);
    }
    const failed = [unloaded, loaded].some((r) => r.errors > 0 || r.missing > 0);
    if (process.env.BENCH_WRITE_DOCS !== '0' && !failed) {
      await writeSection('revocation', section(result));
      log(`wrote ${DOC}`);
    }
    if (failed) process.exitCode = 1;
  } finally {
    if (!interrupted) await cleanup();
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  if (error?.cause) console.error('cause:', error.cause);
  process.exit(1);
});
