// Benchmark: identity issuing keys, over HTTP and end to end to Kafka.
//
//   node bench/identity-issue.mjs          (bench/run.sh builds the services and brings a broker)
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST (the built services, default <repo>/dist),
//      BENCH_KEYS (5000), BENCH_CONCURRENCY (16), BENCH_WARMUP (200), BENCH_UNLOADED_KEYS (200),
//      BENCH_UNLOADED_PAUSE_MS (20), BENCH_E2E_TIMEOUT_MS (120000), BENCH_ROUNDS (1 pass of each
//      build), BENCH_BASELINE_DIST (another build, e.g. of main, measured in the same rounds,
//      interleaved with this one, for a before/after table; BENCH_BASELINE_LABEL names it in the
//      report), BENCH_COMMAND (the command
//      line written to the report), BENCH_WRITE_DOCS (1; 0 leaves docs/benchmarks.md alone),
//      POSTGRES_HOST/PORT/USER/PASSWORD (127.0.0.1, 5432, postgres).
//
// It starts identity as a process on a free port against a fresh database, bootstraps a workspace,
// issues keys with concurrent keep-alive clients, follows keyway.keys.v1 with its own consumer
// group, reads the outbox lag from identity's database, counts identity's Postgres round trips per
// issue (bench/pg-round-trips.cjs, preloaded), prints a Markdown table, rewrites its section of
// docs/benchmarks.md, and then stops identity and drops the database.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import pg from 'pg';
import {
  brokersOrExit,
  DIST,
  DOC,
  freePort,
  ROOT,
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
  identityEnv,
} from './lib.mjs';

const { Kafka, logLevel } = kafkajs;

const KEYS_TOPIC = 'keyway.keys.v1';
const ISSUED = 'keyway.key.issued.v1';

const params = {
  keys: intEnv('BENCH_KEYS', 5000, 1),
  concurrency: intEnv('BENCH_CONCURRENCY', 16, 1),
  warmup: intEnv('BENCH_WARMUP', 200),
  unloadedKeys: intEnv('BENCH_UNLOADED_KEYS', 200, 1),
  unloadedPauseMs: intEnv('BENCH_UNLOADED_PAUSE_MS', 20),
  e2eTimeoutMs: intEnv('BENCH_E2E_TIMEOUT_MS', 120_000, 1000),
  rounds: intEnv('BENCH_ROUNDS', 1, 1),
  baselineDist: process.env.BENCH_BASELINE_DIST || null,
};
const brokers = brokersOrExit();

// ---------------------------------------------------------------------------------------------
// Load

async function issue(url, key, name) {
  const started = performance.now();
  let status = 0;
  let id = null;
  try {
    const response = await fetch(`${url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, scopes: ['bench:read'] }),
    });
    status = response.status;
    const body = await response.json().catch(() => null);
    if (status === 201) id = body?.id ?? null;
  } catch {
    status = -1;
  }
  const ended = performance.now();
  return { started, ended, latency: ended - started, status, id };
}

/** `count` requests from `concurrency` clients, each taking the next index until none is left. */
async function runLoad(url, key, { count, concurrency, prefix, pauseMs = 0 }) {
  const results = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        results[i] = await issue(url, key, `${prefix}-${i}`);
        if (pauseMs > 0) await sleep(pauseMs);
      }
    }),
  );
  const ended = performance.now();
  const ok = results.filter((r) => r.status === 201 && r.id !== null);
  const statuses = {};
  for (const r of results) if (r.status !== 201) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    started,
    ended,
    wallMs: ended - started,
    results,
    ok,
    errors: count - ok.length,
    statuses,
  };
}

// ---------------------------------------------------------------------------------------------
// Kafka: who got which key's issued event, when

async function startConsumer(groupId) {
  const kafka = new Kafka({
    clientId: `bench-${runId}`,
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  const arrivals = new Map(); // key id -> performance.now() of first arrival
  let waiters = [];
  const joined = new Promise((done) => consumer.on(consumer.events.GROUP_JOIN, done));
  await consumer.connect();
  await consumer.subscribe({ topic: KEYS_TOPIC, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const message of batch.messages) {
        const id = message.key?.toString();
        if (!id || arrivals.has(id)) continue;
        let type;
        try {
          type = JSON.parse(message.value.toString()).type;
        } catch {
          continue;
        }
        if (type === ISSUED) arrivals.set(id, now);
      }
      for (const wake of waiters) wake();
      waiters = [];
    },
  });
  let timer;
  try {
    await Promise.race([
      joined,
      new Promise((_, fail) => {
        timer = setTimeout(
          () => fail(new Error('the bench consumer did not join its group within 60 s')),
          60_000,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return {
    arrivals,
    /** Resolves when every id has arrived, or after timeoutMs; returns how many are missing. */
    async waitFor(ids, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const missing = ids.filter((id) => !arrivals.has(id)).length;
        if (missing === 0 || performance.now() >= deadline) return missing;
        await Promise.race([new Promise((wake) => waiters.push(wake)), sleep(250)]);
      }
    },
    async close() {
      await consumer.disconnect().catch(() => undefined);
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.deleteGroups([groupId]);
      } catch {
        // best effort: a throwaway broker is wiped anyway
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Outbox lag, from identity's own database

async function outboxLag(client, ids, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS pending FROM outbox o JOIN event_store e ON e.event_id = o.event_id
       WHERE e.aggregate_id = ANY($1) AND e.type = $2 AND o.published_at IS NULL`,
      [ids, ISSUED],
    );
    if (rows[0].pending === 0) break;
    if (Date.now() >= deadline) throw new Error(`${rows[0].pending} outbox rows still unpublished`);
    await sleep(200);
  }
  const { rows } = await client.query(
    `SELECT extract(epoch from (o.published_at - o.created_at))::float8 * 1000 AS lag_ms
     FROM outbox o JOIN event_store e ON e.event_id = o.event_id
     WHERE e.aggregate_id = ANY($1) AND e.type = $2 AND o.published_at IS NOT NULL`,
    [ids, ISSUED],
  );
  return summary(rows.map((row) => row.lag_ms));
}

// ---------------------------------------------------------------------------------------------
// Report

function figures(r) {
  const l = r.loaded.latency;
  return [
    ['Keys issued (measured run)', `${r.loaded.ok} of ${params.keys}, ${r.loaded.errors} errors`],
    [
      'HTTP throughput',
      `**${rate(r.loaded.keysPerSec)}** (${params.keys} keys in ${sec(r.loaded.wallMs)})`,
    ],
    [
      'HTTP latency p50 / p90 / p99 / max',
      `${ms(l.p50)} / ${ms(l.p90)} / ${ms(l.p99)} / ${ms(l.max)}`,
    ],
    [
      'End to end: start of run → last `key.issued` event consumed',
      `**${sec(r.e2e.lastMs)}** (${rate(r.e2e.perSec)}), ${r.e2e.missing} missing`,
    ],
    ['End to end: last HTTP response → last event consumed', sec(r.e2e.tailMs)],
    [
      'End to end per key (request sent → event consumed) p50 / p99 / max',
      `${ms(r.e2e.perKey.p50)} / ${ms(r.e2e.perKey.p99)} / ${ms(r.e2e.perKey.max)}`,
    ],
    [
      'Outbox lag under load (commit → Kafka ack) p50 / p99 / max',
      `${ms(r.lagLoaded.p50)} / ${ms(r.lagLoaded.p99)} / ${ms(r.lagLoaded.max)}`,
    ],
    [
      `Outbox lag unloaded (${params.unloadedKeys} keys, 1 client, ${params.unloadedPauseMs} ms pause) p50 / p99 / max`,
      `${ms(r.lagUnloaded.p50)} / ${ms(r.lagUnloaded.p99)} / ${ms(r.lagUnloaded.max)}`,
    ],
    [
      'HTTP latency unloaded p50 / p99',
      `${ms(r.unloaded.latency.p50)} / ${ms(r.unloaded.latency.p99)}`,
    ],
    [
      'CPU per issue: identity process / its Postgres backends',
      `${ms(r.cpu.identity)} / ${ms(r.cpu.postgres)}`,
    ],
    [
      'Postgres round trips per issue (request; background: outbox relay)',
      `${r.trips.request.toFixed(1)} (+ ${r.trips.background.toFixed(2)})`,
    ],
  ];
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Before/after: each build's passes, round by round, and their medians. */
function comparison(passes) {
  const rows = [];
  for (const [name, runs] of Object.entries(passes)) {
    const each = (f) => runs.map(f).join(', ');
    rows.push([
      `\`${name}\`: HTTP throughput per round (median)`,
      `${each((p) => rate(p.loaded.keysPerSec))} (**${rate(median(runs.map((p) => p.loaded.keysPerSec)))}**)`,
    ]);
    rows.push([
      `\`${name}\`: HTTP latency p50 / p99 per round`,
      each((p) => `${ms(p.loaded.latency.p50)} / ${ms(p.loaded.latency.p99)}`),
    ]);
    rows.push([
      `\`${name}\`: CPU per issue, identity / Postgres (median)`,
      `${ms(median(runs.map((p) => p.cpu.identity)))} / ${ms(median(runs.map((p) => p.cpu.postgres)))}`,
    ]);
    rows.push([
      `\`${name}\`: Postgres round trips per issue`,
      `**${median(runs.map((p) => p.trips.request)).toFixed(1)}**`,
    ]);
  }
  return rows;
}

/** What each issue sends to Postgres, per issue, as counted in the median pass. */
function statements(r) {
  return r.trips.statements
    .map(([sql, n]) => `- ${n.toFixed(2)} × \`${sql.replace(/`/g, "'")}\``)
    .join('\n');
}

function section(r) {
  const m = r.machine;
  return `## Identity: issuing keys

Measured ${r.date} with:

\`\`\`bash
${r.command}
\`\`\`

**Machine:** ${m.nproc} vCPUs (${m.cpu}), ${m.memGb} GB RAM (\`free -g\` total), Node ${m.node},
${r.postgresVersion}, a single-node Kafka broker (${r.brokerNote}). Load average (1, 5, 15 min) just before the
measured run: ${r.load}.
Everything, the benchmark included, runs on this one machine.

**Parameters:** ${params.keys} keys measured after ${params.warmup} warm-up requests,
${params.concurrency} concurrent clients (\`fetch\`, keep-alive), body
\`{"name":"bench-<i>","scopes":["bench:read"]}\`; identity with \`LOG_LEVEL=warn\` and its defaults
(\`POSTGRES_POOL_SIZE=10\`, \`OUTBOX_POLL_INTERVAL_MS=500\`, \`OUTBOX_BATCH_SIZE=500\`), on a fresh
database. Unloaded lag: ${params.unloadedKeys} keys issued one at a time with a
${params.unloadedPauseMs} ms pause between them.${
    params.rounds > 1 || r.comparison
      ? ` ${params.rounds} round(s)${r.comparison ? ', each running the baseline build and this one in turn' : ''}, each pass on a fresh identity and database; the figures are those of the pass with the median throughput.`
      : ''
  }

${table(figures(r))}
${
  r.comparison
    ? `
Before (\`baseline\`: ${process.env.BENCH_BASELINE_LABEL ?? 'another build'}) and after (\`current\`), in the same rounds:

${table(comparison(r.comparison))}
`
    : ''
}
Postgres round trips of one issue (\`POST /v1/keys\`), by statement:

${statements(r)}

What is measured:

- **HTTP throughput and latency**: \`POST /v1/keys\` with the owner key, from the request being sent
  to its \`201\` body being read, as seen by the client (\`performance.now()\`). Throughput is the
  measured keys divided by the wall time of the measured run. Each request authenticates the
  bearer key, generates and hashes the secret, and commits the event, its outbox row and the read
  model in one transaction.
- **End to end**: a kafkajs consumer in its own group, subscribed to \`${KEYS_TOPIC}\` before the
  run, records when the \`${ISSUED}\` event of each measured key (message key = key id) arrives.
  The time until the last one arrived is the sustained throughput of HTTP → event store → outbox
  → Kafka → consumer.
- **Outbox lag**: \`published_at - created_at\` of the measured keys' outbox rows in identity's
  database: from the row's insert (\`clock_timestamp()\`, inside the issuing transaction) to the
  relay marking it published after Kafka acknowledged it (\`acks=-1\`).
- **CPU per issue**: user + system time (\`/proc/<pid>/stat\`) of identity's process and of the
  Postgres backends of its connection pool during the measured run, divided by the keys issued:
  what an issue costs, much steadier than rates on a shared machine.
- **Postgres round trips**: identity runs with \`bench/pg-round-trips.cjs\` preloaded, which counts
  every \`pg\` query (one round trip each) during the measured run, divided by the keys issued;
  the outbox relay's transactions are counted apart (background).
- Percentiles are nearest-rank over all requests or rows of the run. One run: on a shared 2-vCPU
  machine the figures move by several percent from run to run.`;
}

// ---------------------------------------------------------------------------------------------
// Postgres round trips, counted inside identity by bench/pg-round-trips.cjs

const ROUND_TRIPS_PRELOAD = join(ROOT, 'bench', 'pg-round-trips.cjs');

/** identity's Postgres round-trip counts so far (it writes them to `file` on SIGUSR2). */
async function roundTrips(service, file) {
  await rm(file, { force: true });
  service.child.kill('SIGUSR2');
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch {
      await sleep(50);
    }
  }
  throw new Error('identity did not write its round-trip counts');
}

/** Round trips per issued key between two counts: requests' (with statements) and background. */
function perIssue(before, after, keys) {
  const statements = Object.entries(after.statements)
    .map(([sql, n]) => [sql, (n - (before.statements[sql] ?? 0)) / keys])
    .filter(([, n]) => n > 0.005)
    .sort((a, b) => b[1] - a[1]);
  return {
    request: (after.request - before.request) / keys,
    background: (after.background - before.background) / keys,
    statements,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU time of identity and of its Postgres backends (same machine: /proc), less noisy than rates

const TICK_MS = 10; // USER_HZ = 100 on Linux

async function cpuMs(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
  } catch {
    return NaN; // not Linux, or the process is gone
  }
}

/** CPU ms used so far by identity's process and by the Postgres backends serving it. */
async function cpuNow(service, db) {
  const { rows } = await db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'keyway-identity'`,
  );
  const backends = await Promise.all(rows.map((row) => cpuMs(row.pid)));
  return {
    identity: await cpuMs(service.child.pid),
    postgres: backends.reduce((a, b) => a + b, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Main

/** One measured pass of the build in `dist` (labelled `label`): fresh database, fresh identity. */
async function pass(dist, label, admin) {
  const database = `bench_identity_${runId}_${label}`;
  const countsFile = join(tmpdir(), `${database}.round-trips.json`);
  let identity;
  let consumer;
  let db;
  const cleanup = async () => {
    await consumer?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    if (identity) {
      const code = await identity.stop();
      log(`identity stopped (${code})`);
    }
    await rm(countsFile, { force: true });
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch((error) => {
      log(`could not drop ${database}: ${String(error)}`);
    });
    log(`database ${database} dropped`);
  };
  cleanups.add(cleanup);
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...identityEnv({
        port,
        database,
        brokers,
        groupId: `bench-identity-svc-${runId}-${label}`,
        pepper: randomBytes(32).toString('base64url'),
      }),
      PG_ROUND_TRIPS_FILE: countsFile,
    };

    log(`[${label}] identity (${dist}) on ${url}, database ${database}`);
    identity = startService('identity', join(dist, 'apps/identity/src/main.js'), env, {
      nodeArgs: ['--require', ROUND_TRIPS_PRELOAD],
    });
    await waitReady(url, identity);

    const boot = spawnSync(
      process.execPath,
      [join(dist, 'apps/identity/src/command.js'), 'bootstrap', '--workspace', 'bench', '--json'],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    if (boot.status !== 0) throw new Error(`bootstrap failed (${boot.status}): ${boot.stderr}`);
    const { key } = JSON.parse(boot.stdout.trim().split('\n').pop());
    if (typeof key !== 'string') throw new Error('bootstrap printed no key');

    consumer = await startConsumer(`bench-consumer-${runId}-${label}`);
    log(`[${label}] consumer joined its group on ${KEYS_TOPIC}`);

    if (params.warmup > 0) {
      const warm = await runLoad(url, key, {
        count: params.warmup,
        concurrency: params.concurrency,
        prefix: 'warmup',
      });
      if (warm.errors > 0) {
        const sample = warm.results.find((r) => r.status !== 201);
        throw new Error(`warm-up: ${warm.errors} errors ${JSON.stringify(warm.statuses)}`, {
          cause: sample,
        });
      }
      log(`[${label}] warm-up: ${params.warmup} keys in ${sec(warm.wallMs)}`);
      // Let the warm-up's events drain so the measured run starts from an empty outbox.
      await consumer.waitFor(
        warm.ok.map((r) => r.id),
        params.e2eTimeoutMs,
      );
    }

    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(', ');
    log(
      `[${label}] measured run: ${params.keys} keys, ${params.concurrency} clients (load ${load})`,
    );
    db = new pg.Client({ ...postgres, database });
    await db.connect();
    const countsBefore = await roundTrips(identity, countsFile);
    const cpuBefore = await cpuNow(identity, db);
    const run = await runLoad(url, key, {
      count: params.keys,
      concurrency: params.concurrency,
      prefix: 'bench',
    });
    const cpuAfter = await cpuNow(identity, db);
    const trips = perIssue(countsBefore, await roundTrips(identity, countsFile), run.ok.length);
    const cpu = {
      identity: (cpuAfter.identity - cpuBefore.identity) / run.ok.length,
      postgres: (cpuAfter.postgres - cpuBefore.postgres) / run.ok.length,
    };
    log(
      `[${label}] CPU per issue: identity ${ms(cpu.identity)}, its Postgres backends ${ms(cpu.postgres)}`,
    );
    log(`[${label}] HTTP done: ${run.ok.length} keys in ${sec(run.wallMs)}, ${run.errors} errors`);
    log(
      `[${label}] Postgres round trips per issue: ${trips.request.toFixed(2)} (+ ${trips.background.toFixed(2)} background)\n` +
        trips.statements.map(([sql, n]) => `    ${n.toFixed(2)}  ${sql}`).join('\n'),
    );
    const ids = run.ok.map((r) => r.id);
    const missing = await consumer.waitFor(ids, params.e2eTimeoutMs);
    let last = run.started;
    const perKey = [];
    for (const r of run.ok) {
      const at = consumer.arrivals.get(r.id);
      if (at === undefined) continue;
      last = Math.max(last, at);
      perKey.push(at - r.started);
    }
    const lastMs = last - run.started;
    log(
      `[${label}] end to end: ${ids.length - missing} events in ${sec(lastMs)}, ${missing} missing`,
    );

    const lagLoaded = await outboxLag(db, ids);

    const unloaded = await runLoad(url, key, {
      count: params.unloadedKeys,
      concurrency: 1,
      prefix: 'unloaded',
      pauseMs: params.unloadedPauseMs,
    });
    const lagUnloaded = await outboxLag(
      db,
      unloaded.ok.map((r) => r.id),
    );

    return {
      label,
      load,
      trips,
      cpu,
      loaded: {
        ok: run.ok.length,
        errors: run.errors,
        statuses: run.statuses,
        wallMs: run.wallMs,
        keysPerSec: (run.ok.length / run.wallMs) * 1000,
        latency: summary(run.results.map((r) => r.latency)),
      },
      e2e: {
        missing,
        lastMs: missing === 0 ? lastMs : NaN,
        perSec: missing === 0 ? (ids.length / lastMs) * 1000 : NaN,
        tailMs: missing === 0 ? last - run.ended : NaN,
        perKey: summary(perKey),
      },
      lagLoaded,
      unloaded: { latency: summary(unloaded.results.map((r) => r.latency)) },
      lagUnloaded,
    };
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

const cleanups = new Set();

/** The pass with the median throughput. */
function medianPass(passes) {
  const sorted = [...passes].sort((a, b) => a.loaded.keysPerSec - b.loaded.keysPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function main() {
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  const postgresVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      Promise.all([...cleanups].map((cleanup) => cleanup())).finally(() => process.exit(130));
    });
  }
  try {
    const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const variants = [
      ...(params.baselineDist ? [{ name: 'baseline', dist: params.baselineDist }] : []),
      { name: 'current', dist: DIST },
    ];
    const passes = Object.fromEntries(variants.map((variant) => [variant.name, []]));
    for (let round = 1; round <= params.rounds; round++) {
      // Interleaved: each round runs every build once, so a noisy minute hits them alike.
      for (const variant of variants) {
        passes[variant.name].push(await pass(variant.dist, `${variant.name}_${round}`, admin));
      }
    }
    const current = medianPass(passes.current);
    const result = {
      ...current,
      date,
      machine: machine(),
      postgresVersion: `PostgreSQL ${postgresVersion}`,
      brokerNote: process.env.BENCH_BROKER_NOTE ?? `at ${brokers.join(',')}`,
      command: process.env.BENCH_COMMAND ?? 'node bench/identity-issue.mjs',
      comparison: params.baselineDist ? passes : null,
    };

    console.log(`\n${table(figures(result))}\n`);
    if (result.comparison) console.log(`${table(comparison(result.comparison))}\n`);
    const failed = Object.values(passes)
      .flat()
      .some((p) => p.loaded.errors > 0 || p.e2e.missing > 0);
    if (process.env.BENCH_WRITE_DOCS !== '0') {
      await writeSection('identity-issue', section(result));
      log(`wrote ${DOC}`);
    }
    if (failed) process.exitCode = 1;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  if (error?.cause) console.error('cause:', error.cause);
  process.exit(1);
});
