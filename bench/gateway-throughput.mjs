// Benchmark: the gateway's verification routes against two baselines, interleaved in one run,
// then latency at half the gateway's own maximum.
//
//   bash bench/run.sh gateway-throughput     (builds, brings a broker; or `bash bench/run.sh gateway`)
//
// Targets, each on the server core (taskset -c BENCH_SERVER_CPU, 1), loaded by wrk on the load
// core (BENCH_LOAD_CPU, 0, shared with the private Redis):
//   A  bare node:http answering a constant (bench/baseline-node-http.mjs)
//   B  gateway  GET /v1/authorize, Bearer key, route policy: scope orders:read + `default` limit
//   C  gateway  POST /v1/verify {"key"}: the key's `default` limit
//   D  the hand-rolled peer (bench/peer-fastify-rlf.mjs): Fastify + GET + RateLimiterRedis
// Rounds A B C D A B C D …; requests/s medians per target and the ratios B/A, B/D, C/A.
// Then B and C paced at 50 % of their median (wrk `delay` per connection): p50/p90/p99.
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST, BENCH_ROUNDS (3), BENCH_SECONDS (10 per run),
//      BENCH_WARMUP_SECONDS (3 per target), BENCH_CONNECTIONS (64), BENCH_LATENCY_SECONDS (15),
//      BENCH_CPU_PROF (a directory: instead of the comparison, profile the gateway with --cpu-prof
//        under B's load only and write the hottest functions as their own section),
//      BENCH_COMMAND, BENCH_WRITE_DOCS (1).
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { brokersOrExit, intEnv, log, machine, ms, runId, table, writeSection } from './lib.mjs';
import {
  CPU,
  answeredByStatus,
  cpuSeconds,
  redisCpuSeconds,
  runBench,
  startBaseline,
  startGateway,
  startIdentity,
  startRedis,
  statusDelta,
  tempDir,
  waitValid,
  writePolicy,
} from './gateway-stack.mjs';
import { topFunctions } from './cpuprofile-top.mjs';
import { runWrk, writeLua, wrkVersion } from './wrk.mjs';

const params = {
  rounds: intEnv('BENCH_ROUNDS', 3, 1),
  seconds: intEnv('BENCH_SECONDS', 10, 1),
  warmupSeconds: intEnv('BENCH_WARMUP_SECONDS', 3),
  connections: intEnv('BENCH_CONNECTIONS', 64, 1),
  latencySeconds: intEnv('BENCH_LATENCY_SECONDS', 15, 1),
};
const brokers = brokersOrExit();
const cpuProf = process.env.BENCH_CPU_PROF || null;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rps = (value) => `${Math.round(value).toLocaleString('en-US')}`;
const ratio = (a, b) => (a / b).toFixed(2);
const verdict = (ok) => (ok ? 'met' : '**missed**');

/** Checks a target answers as expected before loading it. */
async function probe(name, url, init, expectStatus, check = () => true) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status !== expectStatus || !check(response, text)) {
    throw new Error(`${name}: ${response.status} ${JSON.stringify([...response.headers])} ${text}`);
  }
}

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const wrk = wrkVersion();
  const dir = await tempDir('bench-throughput');
  const pepper = randomBytes(32).toString('base64url');

  const redis = await startRedis();
  const identity = await startIdentity({ brokers, pepper, tag: 'tp' });
  const limit = 1_000_000_000;
  const { key, id: keyId } = await identity.issueKey({
    name: 'bench-throughput',
    scopes: ['orders:read'],
    rateLimits: [{ name: 'default', limit, window: '60s' }],
  });

  const policy = {
    routes: [
      {
        path: '/orders{/*rest}',
        scopes: ['orders:read'],
        ratelimit: [{ name: 'default', cost: 1 }],
      },
    ],
    unmatched: 'deny',
  };
  const policyFile = await writePolicy(dir, policy);
  const gateway = await startGateway({
    redisUrl: redis.url,
    brokers,
    pepper,
    groupId: `bench-gw-tp-${runId}`,
    policyFile,
    nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [],
  });
  await waitValid(gateway.url, key);

  // The peer reads its own records: the same facts, as JSON under its own prefix.
  const peerPrefix = `peer:${runId}:`;
  const seed = redis.client();
  await seed.set(
    `${peerPrefix}key:${createHmac('sha256', pepper).update(key).digest('hex')}`,
    JSON.stringify({
      keyId,
      workspaceId: 'ws_bench',
      environment: 'live',
      status: 'active',
      scopes: ['orders:read'],
    }),
  );
  seed.disconnect();
  const peer = await startBaseline('peer', 'peer-fastify-rlf.mjs', {
    REDIS_URL: redis.url,
    KEYWAY_PEPPER: pepper,
    PEER_PREFIX: peerPrefix,
    PEER_POINTS: String(limit),
    PEER_DURATION_S: '60',
  });
  const bare = await startBaseline('node-http', 'baseline-node-http.mjs', {});

  const forwarded = {
    authorization: `Bearer ${key}`,
    'x-forwarded-method': 'GET',
    'x-forwarded-uri': '/orders/42',
    'x-forwarded-host': 'api.example.com',
    'x-forwarded-proto': 'https',
  };
  const verifyBody = JSON.stringify({ key });
  const targets = [
    { id: 'A', name: 'bare node:http, constant', url: `${bare.url}/`, spec: {} },
    {
      id: 'B',
      name: 'gateway GET /v1/authorize',
      url: `${gateway.url}/v1/authorize`,
      route: '/v1/authorize',
      spec: { headers: forwarded },
    },
    {
      id: 'C',
      name: 'gateway POST /v1/verify',
      url: `${gateway.url}/v1/verify`,
      route: '/v1/verify',
      spec: { method: 'POST', headers: { 'content-type': 'application/json' }, body: verifyBody },
    },
    {
      id: 'D',
      name: 'peer: Fastify + GET + RateLimiterRedis',
      url: `${peer.url}/v1/authorize`,
      spec: { headers: forwarded },
    },
  ];
  for (const t of targets) t.script = await writeLua(dir, t.id, t.spec);

  await probe('A', targets[0].url, {}, 200);
  await probe(
    'B',
    targets[1].url,
    { headers: forwarded },
    200,
    (r, text) =>
      text === '' && r.headers.get('x-keyway-key-id') === keyId && r.headers.has('ratelimit'),
  );
  await probe(
    'C',
    targets[2].url,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: verifyBody },
    200,
    (_r, text) => JSON.parse(text).code === 'VALID',
  );
  await probe(
    'D',
    targets[3].url,
    { headers: forwarded },
    200,
    (r, text) => text === '' && r.headers.get('x-keyway-key-id') === keyId,
  );
  log('all four targets answer as expected');

  // wrk counts non-2xx answers; the gateway's own metrics say which statuses they were.
  const pids = {
    A: bare.service.child.pid,
    B: gateway.service.child.pid,
    C: gateway.service.child.pid,
    D: peer.service.child.pid,
  };
  const redisStats = redis.client();
  // Also the CPU the server and Redis used per request: less sensitive to the neighbours' load
  // than requests/s, since a core they take is time this process does not run.
  const run = async (t, seconds, script = t.script) => {
    const before = t.route ? await answeredByStatus(gateway.url) : null;
    const cpuBefore = cpuSeconds(pids[t.id]);
    const redisBefore = await redisCpuSeconds(redisStats);
    const r = await runWrk({ url: t.url, script, seconds, connections: params.connections });
    const cpu = cpuSeconds(pids[t.id]) - cpuBefore;
    const redisCpu = (await redisCpuSeconds(redisStats)) - redisBefore;
    r.cpuUsPerRequest = (cpu * 1e6) / r.requests;
    r.cpuShare = cpu / r.durationS;
    r.redisUsPerRequest = (redisCpu * 1e6) / r.requests;
    if (before) {
      const statuses = statusDelta(before, await answeredByStatus(gateway.url), t.route);
      delete statuses['200'];
      r.statuses = statuses;
    }
    return r;
  };

  if (cpuProf) {
    await profileAuthorize(targets[1], run, gateway, { date, mach });
    return;
  }

  if (params.warmupSeconds > 0) {
    for (const t of targets) {
      const w = await run(t, params.warmupSeconds);
      log(`warm-up ${t.id}: ${rps(w.rps)} req/s, ${w.errorCount} errors`);
    }
  }

  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  const results = Object.fromEntries(targets.map((t) => [t.id, []]));
  for (let round = 1; round <= params.rounds; round++) {
    for (const t of targets) {
      const r = await run(t, params.seconds);
      results[t.id].push(r);
      log(
        `round ${round} ${t.id}: ${rps(r.rps)} req/s, p99 ${ms(r.latencyMs.p99)}, ` +
          `${r.errorCount} errors ${r.errorCount ? JSON.stringify(r.errors) : ''}`,
      );
    }
  }
  const med = Object.fromEntries(
    targets.map((t) => [t.id, median(results[t.id].map((r) => r.rps))]),
  );
  const perRound = (a, b) => results[a].map((r, i) => r.rps / results[b][i].rps);

  // Latency at half of each route's own maximum. wrk paces each connection with a delay after
  // each response, so a short calibration run measures the mean latency at about that rate and
  // the delay is set to (connections / rate) minus it.
  const paced = {};
  for (const t of targets.filter((x) => x.id === 'B' || x.id === 'C')) {
    const target = med[t.id] / 2;
    const interval = (params.connections * 1000) / target;
    let delayMs = Math.max(0, interval - 1);
    for (let pass = 0; pass < 2; pass++) {
      const calibration = await run(
        t,
        3,
        await writeLua(dir, `${t.id}-cal`, { ...t.spec, delayMs }),
      );
      const latency = (params.connections * 1000) / calibration.rps - delayMs; // per request
      delayMs = Math.max(0, interval - latency);
    }
    const r = await run(
      t,
      params.latencySeconds,
      await writeLua(dir, `${t.id}-paced`, { ...t.spec, delayMs }),
    );
    paced[t.id] = { target, delayMs, ...r };
    log(
      `${t.id} at ${rps(r.rps)} req/s (target ${rps(target)}, delay ${delayMs.toFixed(2)} ms): ` +
        `p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, ${r.errorCount} errors`,
    );
  }

  const errors = Object.values(results)
    .flat()
    .concat(Object.values(paced))
    .reduce((sum, r) => sum + r.errorCount, 0);

  const result = {
    date,
    machine: mach,
    load,
    wrk,
    fastify: createRequire(import.meta.url)('fastify/package.json').version,
    redisVersion: redis.version,
    postgresVersion: identity.postgresVersion,
    brokerNote: process.env.BENCH_BROKER_NOTE ?? `at ${brokers.join(',')}`,
    command: process.env.BENCH_COMMAND ?? 'node bench/gateway-throughput.mjs',
    targets,
    results,
    med,
    ratios: {
      BA: med.B / med.A,
      BD: med.B / med.D,
      CA: med.C / med.A,
      CD: med.C / med.D,
      DA: med.D / med.A,
      BAround: perRound('B', 'A'),
      BDround: perRound('B', 'D'),
    },
    paced,
    errors,
    policy,
  };
  console.log(`\n${section(result)}\n`);
  if (process.env.BENCH_WRITE_DOCS !== '0')
    await writeSection('gateway-throughput', section(result));
  redisStats.disconnect();
  if (errors > 0) {
    log(`${errors} wrk errors (non-2xx or socket errors): see the table`);
    process.exitCode = 1;
  }
}

/**
 * BENCH_CPU_PROF: only B under load for rounds × seconds, then the gateway is stopped so V8
 * writes its profile, and the hottest functions go to their own section (the profiler slows the
 * process, so these runs give no throughput figures).
 */
async function profileAuthorize(target, run, gateway, { date, mach }) {
  if (params.warmupSeconds > 0) await run(target, params.warmupSeconds);
  const seconds = params.rounds * params.seconds;
  const r = await run(target, seconds);
  log(`profiled B: ${rps(r.rps)} req/s for ${seconds} s`);
  await gateway.service.stop();
  const files = (await readdir(cpuProf)).filter((f) => f.endsWith('.cpuprofile'));
  const newest = (
    await Promise.all(files.map(async (f) => ({ f, at: (await stat(join(cpuProf, f))).mtimeMs })))
  ).sort((a, b) => b.at - a.at)[0];
  if (!newest) throw new Error(`no .cpuprofile in ${cpuProf}`);
  const file = join(cpuProf, newest.f);
  const top = topFunctions(JSON.parse(await readFile(file, 'utf8')), 1000);
  const pct = (share) => `${(share * 100).toFixed(1)} %`;
  const list = (entries, count) =>
    entries
      .slice(0, count)
      .map((e) => `| ${pct(e.share)} | \`${e.name}\` |`)
      .join('\n');
  // Per-request work outside the route itself, by the frame that starts it.
  const stages = [
    [
      'Nest middleware through @fastify/middie (runs for the raw Fastify routes too)',
      /^runMiddie /,
    ],
    ['  of which pino-http (a child logger per request, access log off)', /^loggingMiddleware /],
    ['AsyncLocalStorage / async_hooks promise hooks', /^promiseInitHook /],
    ['Client address → hex for CIDR checks (ipaddr.js)', /^addressHex /],
    ['HMAC-SHA256 of the key', /^hashKey /],
    ['Request id (randomUUID)', /^getGenReqId /],
    ['Prometheus histogram observe', /^observeWithoutExemplar /],
    ['ioredis: EVALSHA sent (auto-pipelining)', /^executeAutoPipeline /],
    ['Garbage collector', /^\(garbage collector\)$/],
  ].map(([what, pattern]) => {
    const hits = top.total.filter((e) => pattern.test(e.name));
    const share = hits.reduce((max, e) => Math.max(max, e.share), 0);
    return `| ${pct(share)} | ${what} |`;
  });
  const text = `## Gateway: where \`/v1/authorize\`'s CPU goes (V8 profile)

Measured ${date} with:

\`\`\`bash
${profileCommand()}
\`\`\`

The gateway of the throughput benchmark under \`node --cpu-prof\` (${mach.nproc} vCPUs, Node
${mach.node}, the noisy shared box), loaded only with B (\`GET /v1/authorize\`, wrk
-c${params.connections}) for ${seconds} s at ${rps(r.rps)} req/s (the profiler slows it). Shares
are of the ${(top.busyMs / 1000).toFixed(1)} s the process was busy (boot included, about 1 s;
idle left out), as summarised by \`node bench/cpuprofile-top.mjs <file>\`.

Selected stages (total time, the stage and what it calls):

| Total | Stage |
| --- | --- |
${stages.join('\n')}

Self time by package (or app, lib, V8 category):

| Self | Package |
| --- | --- |
${list(top.byPackage, 15)}

The hottest functions by self time:

| Self | Function |
| --- | --- |
${list(top.self, 20)}

The gateway's own functions by total time:

| Total | Function |
| --- | --- |
${list(top.own, 12)}`;
  console.log(`\n${text}\n`);
  if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('gateway-profile', text);
}

function profileCommand() {
  const command = process.env.BENCH_COMMAND ?? 'node bench/gateway-throughput.mjs';
  return command.includes('BENCH_CPU_PROF=') ? command : `BENCH_CPU_PROF=<dir> ${command}`;
}

function section(r) {
  const m = r.machine;
  const runs = (id) => r.results[id].map((x) => rps(x.rps)).join(', ');
  const errs = (id) => {
    const count = r.results[id].reduce((sum, x) => sum + x.errorCount, 0);
    const statuses = {};
    for (const x of r.results[id]) {
      for (const [status, n] of Object.entries(x.statuses ?? {}))
        statuses[status] = (statuses[status] ?? 0) + n;
    }
    const detail = Object.entries(statuses)
      .map(([status, n]) => `${n}× ${status}`)
      .join(', ');
    return detail ? `${count} (${detail})` : String(count);
  };
  const rows = r.targets.map((t) => [
    `${t.id}: ${t.name}, req/s median (runs)`,
    `**${rps(r.med[t.id])}** (${runs(t.id)}); p99 ${ms(median(r.results[t.id].map((x) => x.latencyMs.p99)))}; errors ${errs(t.id)}`,
  ]);
  const roundRatios = (values) => values.map((v) => v.toFixed(2)).join(', ');
  rows.push(
    [
      'B/A: authorize vs bare node:http (target ≥ 0.5)',
      `**${ratio(r.med.B, r.med.A)}** (per round ${roundRatios(r.ratios.BAround)}): ${verdict(r.ratios.BA >= 0.5)}`,
    ],
    [
      'B/D: authorize vs hand-rolled peer (target ≥ 1.2)',
      `**${ratio(r.med.B, r.med.D)}** (per round ${roundRatios(r.ratios.BDround)}): ${verdict(r.ratios.BD >= 1.2)}`,
    ],
    [
      'C/A, C/D: verify vs node:http, vs peer',
      `${ratio(r.med.C, r.med.A)}, ${ratio(r.med.C, r.med.D)}`,
    ],
    ['D/A: peer vs node:http', ratio(r.med.D, r.med.A)],
  );
  for (const [id, p] of Object.entries(r.paced)) {
    const l = p.latencyMs;
    rows.push([
      `${id} at 50 % of its median (${rps(p.target)} req/s asked, ${rps(p.rps)} done): p50 / p90 / p99 / p99.9 / max (target p99 ≤ 5 ms)`,
      `${ms(l.p50)} / ${ms(l.p90)} / **${ms(l.p99)}** / ${ms(l.p999)} / ${ms(l.max)}: ${verdict(l.p99 <= 5)}; errors ${p.errorCount}${Object.keys(p.statuses ?? {}).length ? ` ${JSON.stringify(p.statuses)}` : ''}`,
    ]);
  }
  const cpuOf = (id) => median(r.results[id].map((x) => x.cpuUsPerRequest));
  rows.push([
    'Server CPU per request, median µs (A / B / C / D); its core busy (median share of the run)',
    `${r.targets.map((t) => cpuOf(t.id).toFixed(0)).join(' / ')}; ${r.targets
      .map((t) => `${(median(r.results[t.id].map((x) => x.cpuShare)) * 100).toFixed(0)} %`)
      .join(' / ')}`,
  ]);
  rows.push([
    'Redis CPU per request, median µs (B / C / D)',
    ['B', 'C', 'D']
      .map((id) => median(r.results[id].map((x) => x.redisUsPerRequest)).toFixed(1))
      .join(' / '),
  ]);
  rows.push([
    'CPU cost ratios A/B and D/B (what B/A and B/D would be on an otherwise idle core)',
    `${(cpuOf('A') / cpuOf('B')).toFixed(2)}, ${(cpuOf('D') / cpuOf('B')).toFixed(2)}`,
  ]);
  return `## Gateway: throughput and latency of verification

Measured ${r.date} with:

\`\`\`bash
${r.command}
\`\`\`

**Machine:** ${m.nproc} vCPUs (${m.cpu}), ${m.memGb} GB RAM, Node ${m.node}, Redis ${r.redisVersion}
(a private \`redis-server\`, no persistence), wrk ${r.wrk}, a single-node Kafka broker
(${r.brokerNote}); identity on ${r.postgresVersion} issued the key. A **noisy shared 2-core box**:
other engineers' builds and tests run on the same cores, so absolute figures move by 10–30 %
between runs; the ratios come from one interleaved run. Load average (1, 5, 15 min) before the
measured rounds: ${r.load}.

**Setup:** every server under test pinned to core ${CPU.server} (\`taskset -c ${CPU.server}\`), wrk
and Redis pinned to core ${CPU.load}; the Kafka broker and identity are unpinned and idle. wrk: 1
thread, ${params.connections} connections, keep-alive, ${params.rounds} rounds of A B C D,
${params.seconds} s per run, after a ${params.warmupSeconds} s warm-up of each. The gateway runs as
deployed (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, access log off) with a route policy
(\`${JSON.stringify(r.policy)}\`); the key has scope \`orders:read\` and a \`default\` limit of
10⁹ per 60 s, so every request is admitted and charged. B and D get Traefik-style
\`X-Forwarded-Method: GET\`, \`X-Forwarded-Uri: /orders/42\` and \`Authorization: Bearer <key>\`;
C posts \`{"key": "<key>"}\`. A answers \`{"ok":true}\`. D is Fastify ${r.fastify} + ioredis (defaults,
no auto-pipelining) + \`rate-limiter-flexible\` RateLimiterRedis (fixed window, one EVALSHA) after a
GET of the key's JSON record: two round trips, sequential.

${table(rows)}

What is measured:

- **req/s**: wrk's completed requests over the run's duration. wrk counts a non-2xx answer as an
  error (listed with the statuses the gateway's own metrics counted, \`/metrics\` before and after
  each run); they are included in req/s.
- **Latency at 50 %**: each of the ${params.connections} connections waits a random delay after
  each response (uniform, so the arrivals are close to Poisson), so the rate is about half the
  route's median maximum;
  two 3 s calibration runs set the delay to the per-connection interval
  (~${((params.connections * 1000) / (r.med.B / 2)).toFixed(0)} ms for B) minus the measured time per
  request. wrk times each request from its write to its response; this is a closed loop with
  think time, not wrk2's open loop, so a stall longer than the interval delays later requests
  instead of queueing them (coordinated omission). ${params.latencySeconds} s per route.
- **CPU per request**: user + system CPU of the server process (\`/proc/<pid>/stat\`) and of Redis
  (\`INFO cpu\`) over a run, divided by its requests. A neighbour that takes the server's core
  lowers req/s but hardly the CPU per request, so the CPU cost ratios are the steadier comparison
  on this box; "core busy" below ~100 % for a server means it was waiting (for Redis, or for a
  core taken by another process: see the load average).
- Percentiles are wrk's (HdrHistogram, µs resolution).`;
}

runBench(main);
