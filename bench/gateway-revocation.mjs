// Benchmark: how long a change to a key's rights keeps being ignored at the gateway. Three kinds
// of change, interleaved (revoke, scope change, delete, revoke, …) so the machine's noise hits
// them alike:
//   - revocation: identity's `POST /v1/keys/{id}/revoke` of a plain key → first `REVOKED`;
//   - identity scope change: `PUT /v1/identities/{externalId}` dropping the scope the poll asks
//     for, of an identity whose one key has scopes `["*"]` → first `INSUFFICIENT_SCOPE`;
//   - identity deletion: `DELETE /v1/identities/{externalId}` → its key's first `REVOKED`.
// Each from the change's response head returning to the first answer of the gateway's
// `POST /v1/verify` that is not VALID, polling the gateway back to back. Idle, then under load (wrk
// against /v1/authorize with another key, as in gateway-throughput, running the whole time).
//
//   bash bench/run.sh gateway-revocation     (or `bash bench/run.sh gateway`)
//
// (bench/revocation.mjs measures the step before, for revocations: revoke → the record in Redis.)
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST, BENCH_GW_REVOKES (200 changes per kind and phase),
//      BENCH_GW_REVOKE_WARMUP (20 per kind), BENCH_GW_REVOKE_PAUSE_MS (20 between two changes),
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

/** The scope every poll asks for; the scope change keeps only `OTHER`. */
const SCOPE = 'orders:read';
const OTHER = 'orders:write';
const POLL = { scopes: [SCOPE] };
const LIMITS = [{ name: 'default', limit: 1_000_000_000, window: '60s' }];

/** The kinds of change, in the order they are interleaved. */
const KINDS = [
  {
    name: 'revocation',
    expect: 'REVOKED',
    status: 200,
    apply: (identity, trial) => identity.revoke(trial.id),
  },
  {
    name: 'identity scope change',
    expect: 'INSUFFICIENT_SCOPE',
    status: 200,
    apply: (identity, trial) => identity.putIdentity(trial.externalId, { scopes: [OTHER] }),
  },
  {
    name: 'identity deletion',
    expect: 'REVOKED',
    status: 204,
    apply: (identity, trial) => identity.deleteIdentity(trial.externalId),
  },
];

/**
 * Applies one change and polls the gateway until it says anything but VALID. Times are from the
 * change's response head (`fromResponse`) and from sending the change (`fromSent`).
 */
async function changeAndWatch(kind, identity, gatewayUrl, trial) {
  const sent = performance.now();
  const changed = await kind.apply(identity, trial);
  const returned = performance.now();
  if (changed.status !== kind.status) {
    const text = Buffer.from(await changed.done).toString();
    throw new Error(`${kind.name} of ${trial.externalId ?? trial.id}: ${changed.status} ${text}`);
  }
  let polls = 0;
  let unavailable = 0;
  for (;;) {
    const { status, body } = await verifyOnce(gatewayUrl, trial.key, POLL);
    const answered = performance.now();
    polls++;
    if (status === 200 && body?.code !== 'VALID') {
      await changed.done;
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
      throw new Error(`${kind.name}: key still VALID ${params.timeoutMs} ms after the change`);
    }
  }
}

/** `trials[k][i]` for kind `k`: changes i = 0, 1, … of every kind in turn, `pauseMs` apart. */
async function changeAll(identity, gatewayUrl, trials, pauseMs) {
  const results = KINDS.map(() => []);
  for (let i = 0; i < trials[0].length; i++) {
    for (const [k, kind] of KINDS.entries()) {
      results[k].push(await changeAndWatch(kind, identity, gatewayUrl, trials[k][i]));
      if (pauseMs > 0) await sleep(pauseMs);
    }
  }
  return results.map((r, k) => outcome(KINDS[k], r));
}

function outcome(kind, results) {
  const codes = {};
  for (const r of results) codes[r.code] = (codes[r.code] ?? 0) + 1;
  return {
    kind,
    latency: summary(results.map((r) => r.fromResponse)),
    fromSent: summary(results.map((r) => r.fromSent)),
    http: summary(results.map((r) => r.http)),
    polls: results.reduce((sum, r) => sum + r.polls, 0) / results.length,
    unavailable: results.reduce((sum, r) => sum + r.unavailable, 0),
    codes,
    unexpected: results.filter((r) => r.code !== kind.expect).length,
  };
}

/** Identities `<prefix>-<i>` with scopes [SCOPE, OTHER], each owning one key with scopes ["*"]. */
async function identityTrials(identity, count, prefix, concurrency = 16) {
  const trials = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const externalId = `${prefix}-${i}`;
        await identity.createIdentity(externalId, { scopes: [SCOPE, OTHER] });
        const key = await identity.issueKey({
          name: `bench-${externalId}`,
          ownerId: externalId,
          scopes: ['*'],
          rateLimits: LIMITS,
        });
        trials[i] = { ...key, externalId };
      }
    }),
  );
  return trials;
}

/** A Markdown table with these headers. */
function grid(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const dir = await tempDir('bench-revocation');
  const pepper = randomBytes(32).toString('base64url');

  const redis = await startRedis();
  const identity = await startIdentity({ brokers, pepper, tag: 'rev' });
  const loadKey = await identity.issueKey({
    name: 'bench-load',
    scopes: [SCOPE],
    rateLimits: LIMITS,
  });
  const perKind = params.warmup + 2 * params.revokes;
  const trials = [
    await identity.issueKeys(perKind, {
      name: 'bench-revoke',
      scopes: [SCOPE],
      rateLimits: LIMITS,
    }),
    await identityTrials(identity, perKind, 'bench-scopes'),
    await identityTrials(identity, perKind, 'bench-delete'),
  ];
  const gateway = await startGateway({
    redisUrl: redis.url,
    brokers,
    pepper,
    groupId: `bench-gw-rev-${runId}`,
  });
  await waitValid(gateway.url, loadKey.key);
  // Every key VALID for the poll's scope before any change (this also caches each key's id).
  for (const t of trials.flat()) await waitValid(gateway.url, t.key, 60_000, POLL);
  log(
    `${trials.flat().length} keys issued (${2 * perKind} of identities) and VALID at the gateway`,
  );

  const slice = (from, to) => trials.map((list) => list.slice(from, to));
  const warm = slice(0, params.warmup);
  const idleTrials = slice(params.warmup, params.warmup + params.revokes);
  const loadedTrials = slice(params.warmup + params.revokes, perKind);
  if (params.warmup > 0) await changeAll(identity, gateway.url, warm, 0);

  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  const each = `${params.revokes} of each kind, interleaved, ${params.pauseMs} ms apart`;
  log(`idle: ${each} (load ${load})`);
  const idle = await changeAll(identity, gateway.url, idleTrials, params.pauseMs);
  for (const o of idle)
    log(`idle ${o.kind.name}: p50 ${ms(o.latency.p50)} p99 ${ms(o.latency.p99)}`);

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
  log(`loaded: ${each}, under wrk -c${params.connections}`);
  let loaded;
  try {
    loaded = await changeAll(identity, gateway.url, loadedTrials, params.pauseMs);
  } finally {
    stop.abort();
  }
  const loadRun = await wrk;
  for (const o of loaded) {
    log(`loaded ${o.kind.name}: p50 ${ms(o.latency.p50)} p99 ${ms(o.latency.p99)}`);
  }
  log(`wrk ${rate(loadRun.rps)}`);

  const verdict = (ok) => (ok ? 'met' : '**missed**');
  const quartet = (s) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}`;
  const ratio = (s, base) =>
    ['p50', 'p95', 'p99', 'max'].map((p) => `${(s[p] / base[p]).toFixed(2)}×`).join(' / ');
  const codes = (o) =>
    Object.entries(o.codes)
      .map(([c, n]) => `${n}× ${c}`)
      .join(', ') + (o.unexpected > 0 ? ` (**${o.unexpected} not ${o.kind.expect}**)` : '');
  const phase = (outcomes, target) =>
    grid(
      [
        'Change',
        'change returns → first changed answer, p50 / p95 / p99 / max',
        'ratio to revocation, p50 / p95 / p99 / max',
        `p99 ≤ ${target} ms`,
        'change sent → changed answer, p50 / p99',
        "change's HTTP latency, p50 / p99",
        'polls per change (mean); answers; 503s',
      ],
      outcomes.map((o) => [
        `${o.kind.name} → ${o.kind.expect}`,
        `**${quartet(o.latency)}**`,
        o === outcomes[0] ? '(the base)' : ratio(o.latency, outcomes[0].latency),
        verdict(o.latency.p99 <= target),
        `${ms(o.fromSent.p50)} / ${ms(o.fromSent.p99)}`,
        `${ms(o.http.p50)} / ${ms(o.http.p99)}`,
        `${o.polls.toFixed(1)}; ${codes(o)}; ${o.unavailable}`,
      ]),
    );
  const loadRows = [
    [
      'The load itself (wrk on /v1/authorize during the loaded changes)',
      `${rate(loadRun.rps)} over ${loadRun.durationS.toFixed(1)} s, p99 ${ms(loadRun.latencyMs.p99)}, ${loadRun.errorCount} non-2xx/errors`,
    ],
  ];
  const section = `## Gateway: a revocation, an identity's scope change and its deletion reaching the gateway's answers

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
wrk). Three kinds of change, ${perKind} of each: **revocation** of a plain key (scopes
\`["${SCOPE}"]\`, \`POST /v1/keys/{id}/revoke\`); **identity scope change** of an identity with
scopes \`["${SCOPE}", "${OTHER}"]\` owning one key with scopes \`["*"]\`
(\`PUT /v1/identities/{externalId}\` with \`{"scopes":["${OTHER}"]}\`: one \`identity.updated\` event on
\`keyway.workspaces.v1\`, nothing on the key); **identity deletion** of another such identity
(\`DELETE /v1/identities/{externalId}\`: \`identity.deleted\` on \`keyway.workspaces.v1\` and, in the
same transaction, its key's \`key.revoked\` on \`keyway.keys.v1\`, so the first \`REVOKED\` comes from
whichever the gateway applies first). Every key was seen VALID at the gateway first (so its key id
is cached and every poll is the one-EVALSHA path); ${params.warmup} warm-up changes of each kind not
counted. The changes are interleaved (revocation, scope change, deletion, revocation, …), one at a
time, all with the owner key, so the machine's noise hits the three alike; from the moment a
change's response head arrives the benchmark sends
\`POST /v1/verify {"key","scopes":["${SCOPE}"]}\` (the same request for all three) back to back, one at a time, until
an answer is not VALID; ${params.pauseMs} ms pause before the next change. Under load the polls queue
behind wrk's ${params.connections} connections like any client's request, so a figure is late by
up to one poll's latency. Ratios are each percentile over revocation's same percentile, in the
same phase.

Idle (${each}):

${phase(idle, 25)}

Loaded (the same, while wrk -c${params.connections} hits /v1/authorize with another key):

${phase(loaded, 100)}

${table(loadRows)}`;
  console.log(`\n${section}\n`);
  const unexpected = [...idle, ...loaded].reduce((sum, o) => sum + o.unexpected, 0);
  if (unexpected > 0) {
    log(`${unexpected} changes answered with another code than expected: docs left alone`);
    process.exitCode = 1;
  } else if (process.env.BENCH_WRITE_DOCS !== '0') {
    await writeSection('gateway-revocation', section);
  }
}

runBench(main);
