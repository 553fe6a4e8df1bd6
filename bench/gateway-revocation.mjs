// Benchmark: how long a revoked key keeps passing at the gateway. For each key: identity's
// `POST /v1/keys/{id}/revoke` returns → the first answer of the gateway's `POST /v1/verify` that is
// not VALID, polling the gateway back to back. Idle, then under load (wrk against /v1/authorize
// with another key, as in gateway-throughput, running the whole time).
//
//   bash bench/run.sh gateway-revocation     (or `bash bench/run.sh gateway`)
//
// (bench/revocation.mjs measures the step before: revoke → the record in Redis.)
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST, BENCH_GW_REVOKES (200 per variant),
//      BENCH_GW_REVOKE_WARMUP (20), BENCH_GW_REVOKE_PAUSE_MS (20 between revocations),
//      BENCH_CONNECTIONS (64, wrk's load), BENCH_COMMAND, BENCH_WRITE_DOCS (1).
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  brokersOrExit,
  intEnv,
  log,
  machine,
  ms,
  rate,
  runId,
  summary,
  table,
  writeSection,
} from './lib.mjs';
import {
  CPU,
  runBench,
  startGateway,
  startIdentity,
  startRedis,
  tempDir,
  verifyOnce,
  waitValid,
} from './gateway-stack.mjs';
import { runWrk, writeLua } from './wrk.mjs';

const params = {
  revokes: intEnv('BENCH_GW_REVOKES', 200, 1),
  warmup: intEnv('BENCH_GW_REVOKE_WARMUP', 20),
  pauseMs: intEnv('BENCH_GW_REVOKE_PAUSE_MS', 20),
  connections: intEnv('BENCH_CONNECTIONS', 64, 1),
  timeoutMs: 30_000,
};
const brokers = brokersOrExit();

/**
 * Revokes one key and polls the gateway until it says anything but VALID. Times are from the
 * revoke's response head (`fromResponse`) and from sending the revoke (`fromSent`).
 */
async function revokeAndWatch(identity, gatewayUrl, { id, key }) {
  const sent = performance.now();
  const revoked = await identity.revoke(id);
  const returned = performance.now();
  if (revoked.status !== 200) throw new Error(`revoke ${id}: ${revoked.status}`);
  let polls = 0;
  let unavailable = 0;
  for (;;) {
    const { status, body } = await verifyOnce(gatewayUrl, key);
    const answered = performance.now();
    polls++;
    if (status === 200 && body?.code !== 'VALID') {
      await revoked.done;
      return {
        fromResponse: answered - returned,
        fromSent: answered - sent,
        http: returned - sent,
        code: body?.code,
        polls,
        unavailable,
      };
    }
    if (status !== 200) unavailable++;
    if (answered - returned > params.timeoutMs) {
      throw new Error(`${id} still VALID ${params.timeoutMs} ms after its revoke returned`);
    }
  }
}

async function revokeAll(identity, gatewayUrl, keys, pauseMs) {
  const results = [];
  for (const k of keys) {
    results.push(await revokeAndWatch(identity, gatewayUrl, k));
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return results;
}

function outcome(results) {
  const codes = {};
  for (const r of results) codes[r.code] = (codes[r.code] ?? 0) + 1;
  return {
    latency: summary(results.map((r) => r.fromResponse)),
    fromSent: summary(results.map((r) => r.fromSent)),
    http: summary(results.map((r) => r.http)),
    polls: results.reduce((sum, r) => sum + r.polls, 0) / results.length,
    unavailable: results.reduce((sum, r) => sum + r.unavailable, 0),
    codes,
  };
}

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const dir = await tempDir('bench-revocation');
  const pepper = randomBytes(32).toString('base64url');

  const redis = await startRedis();
  const identity = await startIdentity({ brokers, pepper, tag: 'rev' });
  const body = {
    name: 'bench-revoke',
    scopes: ['orders:read'],
    rateLimits: [{ name: 'default', limit: 1_000_000_000, window: '60s' }],
  };
  const loadKey = await identity.issueKey({ ...body, name: 'bench-load' });
  const total = params.warmup + 2 * params.revokes;
  const keys = await identity.issueKeys(total, body);
  const gateway = await startGateway({
    redisUrl: redis.url,
    brokers,
    pepper,
    groupId: `bench-gw-rev-${runId}`,
  });
  await waitValid(gateway.url, loadKey.key);
  // Every key VALID at the gateway before any revoke (this also caches each key's id there).
  for (const k of keys) await waitValid(gateway.url, k.key);
  log(`${total} keys issued and VALID at the gateway`);

  const warm = keys.slice(0, params.warmup);
  const idleKeys = keys.slice(params.warmup, params.warmup + params.revokes);
  const loadedKeys = keys.slice(params.warmup + params.revokes);
  if (warm.length > 0) await revokeAll(identity, gateway.url, warm, 0);

  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  log(`idle: ${params.revokes} revocations, ${params.pauseMs} ms apart (load ${load})`);
  const idle = outcome(await revokeAll(identity, gateway.url, idleKeys, params.pauseMs));
  log(`idle p50 ${ms(idle.latency.p50)} p99 ${ms(idle.latency.p99)}`);

  const script = await writeLua(dir, 'authorize', {
    headers: { authorization: `Bearer ${loadKey.key}` },
  });
  const stop = new AbortController();
  const wrk = runWrk({
    url: `${gateway.url}/v1/authorize`,
    script,
    seconds: 3600,
    connections: params.connections,
    stop: stop.signal,
  });
  await sleep(2_000); // let the load settle
  log(`loaded: ${params.revokes} revocations under wrk -c${params.connections}`);
  let loaded;
  try {
    loaded = outcome(await revokeAll(identity, gateway.url, loadedKeys, params.pauseMs));
  } finally {
    stop.abort();
  }
  const loadRun = await wrk;
  log(
    `loaded p50 ${ms(loaded.latency.p50)} p99 ${ms(loaded.latency.p99)}; wrk ${rate(loadRun.rps)}`,
  );

  const verdict = (ok) => (ok ? 'met' : '**missed**');
  const quartet = (s) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.max)}`;
  const codes = (o) =>
    Object.entries(o.codes)
      .map(([c, n]) => `${n}× ${c}`)
      .join(', ');
  const rows = [
    [
      `Idle (${params.revokes} revocations, one at a time): revoke returns → first non-VALID, p50 / p90 / p99 / max (target p99 ≤ 25 ms)`,
      `**${quartet(idle.latency)}**: ${verdict(idle.latency.p99 <= 25)}`,
    ],
    [
      'Idle: revoke sent → first non-VALID, p50 / p99',
      `${ms(idle.fromSent.p50)} / ${ms(idle.fromSent.p99)}`,
    ],
    ['Idle: revoke HTTP latency p50 / p99', `${ms(idle.http.p50)} / ${ms(idle.http.p99)}`],
    [
      'Idle: verify polls per revocation (mean); answers seen; 503s while polling',
      `${idle.polls.toFixed(1)}; ${codes(idle)}; ${idle.unavailable}`,
    ],
    [
      `Loaded (same, while wrk -c${params.connections} hits /v1/authorize): revoke returns → first non-VALID, p50 / p90 / p99 / max (target p99 ≤ 100 ms)`,
      `**${quartet(loaded.latency)}**: ${verdict(loaded.latency.p99 <= 100)}`,
    ],
    [
      'Loaded: revoke sent → first non-VALID, p50 / p99',
      `${ms(loaded.fromSent.p50)} / ${ms(loaded.fromSent.p99)}`,
    ],
    ['Loaded: revoke HTTP latency p50 / p99', `${ms(loaded.http.p50)} / ${ms(loaded.http.p99)}`],
    [
      'Loaded: verify polls per revocation (mean); answers seen; 503s while polling',
      `${loaded.polls.toFixed(1)}; ${codes(loaded)}; ${loaded.unavailable}`,
    ],
    [
      'Loaded: the load itself (wrk on /v1/authorize during the loaded revocations)',
      `${rate(loadRun.rps)} over ${loadRun.durationS.toFixed(1)} s, p99 ${ms(loadRun.latencyMs.p99)}, ${loadRun.errorCount} non-2xx/errors`,
    ],
  ];
  const section = `## Gateway: a revocation reaching the gateway's answers

Measured ${date} with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'node bench/gateway-revocation.mjs'}
\`\`\`

**Machine:** ${mach.nproc} vCPUs (${mach.cpu}), ${mach.memGb} GB RAM, Node ${mach.node}, Redis
${redis.version} (private), ${identity.postgresVersion}, a single-node Kafka broker
(${process.env.BENCH_BROKER_NOTE ?? `at ${brokers.join(',')}`}). A noisy shared 2-core box (other
engineers' builds and tests run on it). Load average (1, 5, 15 min) before the idle run: ${load}.

**Setup:** identity (fresh database, unpinned) → outbox → Kafka → the gateway (one process,
\`NODE_ENV=production\`, pinned to core ${CPU.server}) → its Redis (pinned to core ${CPU.load}, with
wrk). ${total} keys issued and each seen VALID at the gateway first (so its key id is cached and
every poll is the one-EVALSHA path); ${params.warmup} warm-up revocations not counted. Each key is
revoked alone (\`POST /v1/keys/{id}/revoke\`, owner key), and from the moment the revoke's response
head arrives the benchmark sends \`POST /v1/verify {"key"}\` back to back, one at a time, until an
answer is not VALID; ${params.pauseMs} ms pause before the next key. Under load the polls queue
behind wrk's ${params.connections} connections like any client's request, so a figure is late by up
to one poll's latency.

${table(rows)}`;
  console.log(`\n${section}\n`);
  if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('gateway-revocation', section);
}

runBench(main);
