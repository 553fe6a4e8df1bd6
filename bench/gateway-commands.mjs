// Benchmark: Redis commands per verification, from `INFO commandstats` deltas on the gateway's
// own Redis (a private redis-server: nobody else's commands in the counts).
//
//   bash bench/run.sh gateway-commands       (or `bash bench/run.sh gateway`)
//
// Cases (N requests each, 8 at a time): a known key (key id cached after one warm-up request) on
// /v1/verify and on /v1/authorize; a malformed key; a well-shaped key with a wrong checksum; unknown
// well-formed keys (valid checksum, never issued, a new one per request); and the first request
// of freshly issued keys (key id not yet cached). Background commands (the projection's progress
// check every 500 ms) are measured over an idle interval and subtracted, scaled by duration.
// Commands that the verify script runs inside Redis (`redis.call` in verify.script.ts) appear in
// commandstats too; they are listed apart from the commands the gateway sends.
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST, BENCH_COMMANDS_N (2000), BENCH_COMMANDS_FRESH (50),
//      BENCH_COMMAND, BENCH_WRITE_DOCS (1).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIST, brokersOrExit, intEnv, log, machine, runId, table, writeSection } from './lib.mjs';
import {
  commandStats,
  runBench,
  startGateway,
  startIdentity,
  startRedis,
  waitValid,
} from './gateway-stack.mjs';

const params = {
  n: intEnv('BENCH_COMMANDS_N', 2000, 1),
  fresh: intEnv('BENCH_COMMANDS_FRESH', 50, 1),
  concurrency: 8,
};
const brokers = brokersOrExit();
const require = createRequire(import.meta.url);

/** Commands the verify script itself calls (they show in commandstats without a round trip). */
function scriptCommands() {
  const { VERIFY_LUA } = require(join(DIST, 'apps/gateway/src/verification/verify.script.js'));
  return new Set(
    [...VERIFY_LUA.matchAll(/redis\.p?call\(\s*'([A-Za-z]+)'/g)].map((m) => m[1].toLowerCase()),
  );
}

async function inParallel(count, concurrency, work) {
  let next = 0;
  const statuses = {};
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const outcome = await work(i);
        statuses[outcome] = (statuses[outcome] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

const diff = (before, after) => {
  const delta = {};
  for (const [name, calls] of Object.entries(after)) {
    const d = calls - (before[name] ?? 0);
    if (d !== 0) delta[name] = d;
  }
  return delta;
};

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const pepper = randomBytes(32).toString('base64url');
  const inScript = scriptCommands();
  const { generateKey } = require(join(DIST, 'libs/key-material/src/index.js'));

  const redis = await startRedis();
  const identity = await startIdentity({ brokers, pepper, tag: 'cmd' });
  const keyBody = {
    name: 'bench-commands',
    scopes: ['orders:read'],
    rateLimits: [{ name: 'default', limit: 1_000_000_000, window: '60s' }],
  };
  const { key } = await identity.issueKey(keyBody);
  const fresh = await identity.issueKeys(params.fresh, { ...keyBody, name: 'bench-fresh' });
  const gateway = await startGateway({
    redisUrl: redis.url,
    brokers,
    pepper,
    groupId: `bench-gw-cmd-${runId}`,
  });
  await waitValid(gateway.url, key); // also caches the known key's id
  // Every fresh key projected before we count (polling Redis, not the gateway, so that the
  // gateway has not looked any of them up yet).
  const stats = redis.client();
  const deadline = Date.now() + 60_000;
  const { hashKey } = require(join(DIST, 'libs/key-material/src/index.js'));
  for (;;) {
    const found = await Promise.all(
      fresh.map((k) => stats.exists(`keyway:hash:{${hashKey(pepper, k.key)}}`)),
    );
    if (found.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error('fresh keys never projected');
    await sleep(100);
  }

  const verify = (credential) => async () => {
    const response = await fetch(`${gateway.url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: credential }),
    });
    const body = await response.json();
    return `${response.status} ${body.code}`;
  };
  const authorize = (credential) => async () => {
    const response = await fetch(`${gateway.url}/v1/authorize`, {
      headers: { authorization: `Bearer ${credential}` },
    });
    await response.arrayBuffer();
    return `${response.status} ${response.headers.get('x-keyway-error-code') ?? 'VALID'}`;
  };
  const badChecksum = (() => {
    const k = generateKey('kw', 'live');
    const last = k.at(-1) === 'A' ? 'B' : 'A';
    return k.slice(0, -1) + last;
  })();

  const cases = [
    {
      name: 'Known key, `POST /v1/verify`',
      expect: 'evalsha 1',
      n: params.n,
      work: () => verify(key),
    },
    {
      name: 'Known key, `GET /v1/authorize`',
      expect: 'evalsha 1',
      n: params.n,
      work: () => authorize(key),
    },
    {
      name: 'Malformed key (`kw_live_nope`)',
      expect: '0',
      n: params.n,
      work: () => verify('kw_live_nope'),
    },
    {
      name: 'Wrong checksum (right shape)',
      expect: '0',
      n: params.n,
      work: () => verify(badChecksum),
    },
    {
      name: 'Unknown well-formed keys (a new one each time)',
      expect: 'get 1',
      n: params.n,
      work: () => verify(generateKey('kw', 'live')),
    },
    {
      name: `First request of ${params.fresh} fresh keys (id not cached yet)`,
      expect: 'get 1 + evalsha 1',
      n: params.fresh,
      work: (i) => verify(fresh[i].key),
    },
  ];

  // Background: what the gateway sends while idle, per second.
  const idleMs = 5_000;
  const idleBefore = await commandStats(stats);
  await sleep(idleMs);
  const background = diff(idleBefore, await commandStats(stats));
  delete background.info;
  log(`idle ${idleMs} ms: ${JSON.stringify(background)}`);

  const results = [];
  for (const c of cases) {
    const before = await commandStats(stats);
    const usecBefore = await commandStats(stats, 'usec');
    const started = performance.now();
    const statuses = await inParallel(c.n, params.concurrency, (i) => c.work(i)());
    const elapsed = performance.now() - started;
    const delta = diff(before, await commandStats(stats));
    const usec = diff(usecBefore, await commandStats(stats, 'usec'));
    delete delta.info;
    for (const [name, calls] of Object.entries(background)) {
      if (delta[name] !== undefined) delta[name] -= Math.round((calls * elapsed) / idleMs);
      if (delta[name] <= 0) delete delta[name];
    }
    const sent = {};
    const inside = {};
    for (const [name, calls] of Object.entries(delta)) {
      if (!inScript.has(name)) sent[name] = calls / c.n;
      // What is left of the background (subtracted pro rata) is well under 1 per 100 requests.
      else if (calls / c.n >= 0.01) inside[name] = calls / c.n;
    }
    results.push({
      ...c,
      statuses,
      elapsed,
      sent,
      inside,
      evalshaUs: delta.evalsha ? usec.evalsha / delta.evalsha : null,
    });
    log(
      `${c.name}: sent ${JSON.stringify(sent)} inside ${JSON.stringify(inside)} ${JSON.stringify(statuses)}`,
    );
  }
  stats.disconnect();

  const fmt = (perVerification, digits = 3) => {
    const entries = Object.entries(perVerification);
    if (entries.length === 0) return '0';
    return entries.map(([name, v]) => `${name} ${Number(v.toFixed(digits))}`).join(', ');
  };
  // Commands sent must match exactly: names and a count of 1.000 per verification each.
  const met = (r) => {
    const expected = r.expect === '0' ? [] : r.expect.split(' + ').map((e) => e.split(' ')[0]);
    const names = Object.keys(r.sent);
    return (
      names.length === expected.length &&
      expected.every((name) => r.sent[name] !== undefined && Math.abs(r.sent[name] - 1) < 1e-9) &&
      (r.expect !== '0' || Object.keys(r.inside).length === 0)
    );
  };
  const rows = results.map((r) => [
    `${r.name} × ${r.n}: answers`,
    Object.entries(r.statuses)
      .map(([s, n]) => `${n}× ${s}`)
      .join(', '),
  ]);
  const countRows = results.map((r) => [
    `${r.name}: commands sent per verification (expected ${r.expect})`,
    `**${fmt(r.sent)}**${Object.keys(r.inside).length ? `; inside the script: ${fmt(r.inside, 2)}` : ''}: ${met(r) ? 'as expected' : '**not as expected**'}${r.evalshaUs ? `; Redis time per EVALSHA ${r.evalshaUs.toFixed(1)} µs` : ''}`,
  ]);
  const section = `## Gateway: Redis commands per verification

Measured ${date} with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'node bench/gateway-commands.mjs'}
\`\`\`

**Machine:** ${mach.nproc} vCPUs (${mach.cpu}), Node ${mach.node}, Redis ${redis.version} (a private
\`redis-server\`: only the gateway and this benchmark talk to it). Counts do not depend on the
machine's noise.

**Method:** \`INFO commandstats\` before and after each case; the commands the gateway sends
while idle (${fmt(Object.fromEntries(Object.entries(background).map(([k, v]) => [k, v / (idleMs / 1000)])))} per second: the
projection's progress check) are subtracted pro rata, \`info\` itself is left out. Redis counts the
commands a script runs (\`redis.call\`) in commandstats as well; those named in the gateway's
verify script (${[...inScript].sort().join(', ')}) are shown apart as "inside the script": they
cost no round trip. "Redis time per EVALSHA" is commandstats' \`usec\` over \`calls\`: the
script's run time inside Redis, which bounds one Redis (one core) to about 10⁶ / that
verifications per second. The known key was verified once before counting, so its key id is cached in
the gateway (the hash → id mapping never changes); the fresh keys had never been asked for.
${params.concurrency} requests in flight, \`fetch\` with keep-alive.

${table([...countRows, ...rows])}`;
  console.log(`\n${section}\n`);
  if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('gateway-commands', section);
  if (!results.every(met)) process.exitCode = 1;
}

runBench(main);
