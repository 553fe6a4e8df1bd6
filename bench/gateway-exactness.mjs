// Benchmark: exactness of the rate limit across replicas. Two gateway processes on one Redis
// (one consumer group, as replicas run), one key with a limit of 100 per 60 s, 1,000 requests
// sent at once, alternating between the replicas → how many were admitted (must be exactly 100).
// A second burst one second later must admit none (the window still holds the first 100).
//
//   bash bench/run.sh gateway-exactness      (or `bash bench/run.sh gateway`)
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST, BENCH_EXACT_TRIALS (5), BENCH_EXACT_REQUESTS (1000),
//      BENCH_EXACT_LIMIT (100), BENCH_EXACT_CONNECTIONS (32 keep-alive connections per replica in
//      the second mode), BENCH_GATEWAY_ENV, BENCH_COMMAND, BENCH_WRITE_DOCS (1).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'node:http';
import { brokersOrExit, intEnv, log, machine, ms, runId, table, writeSection } from './lib.mjs';
import {
  extraGatewayNote,
  runBench,
  startGateway,
  startIdentity,
  startRedis,
} from './gateway-stack.mjs';

const params = {
  trials: intEnv('BENCH_EXACT_TRIALS', 5, 1),
  requests: intEnv('BENCH_EXACT_REQUESTS', 1000, 1),
  limit: intEnv('BENCH_EXACT_LIMIT', 100, 1),
  keepAlive: intEnv('BENCH_EXACT_CONNECTIONS', 32, 1),
};
const brokers = brokersOrExit();

const keepAlive = new Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * GET → status, and the reason of any answer but 200 or 429. `agent: false`: a connection of its
 * own; otherwise a keep-alive agent.
 */
function get(url, headers, agent) {
  return new Promise((done) => {
    const req = request(url, { headers, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        const status = response.statusCode;
        if (status === 200 || status === 429) return done(String(status));
        let reason = '';
        try {
          const parsed = JSON.parse(body);
          reason = parsed.details?.reason ?? parsed.code ?? '';
        } catch {
          // not JSON
        }
        done(`${status}${reason ? ` ${reason}` : ''}`);
      });
    });
    req.on('error', (error) => done(`error ${error.code ?? error.message}`));
    req.end();
  });
}

/** Polls until the key is VALID at the replica, charging nothing (`cost: 0`). */
async function waitValidPeek(url, key) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key, ratelimit: { name: 'default', cost: 0 } }),
    });
    const body = await response.json().catch(() => null);
    if (body?.code === 'VALID') return;
    if (Date.now() > deadline) throw new Error(`never VALID at ${url}: ${JSON.stringify(body)}`);
    await sleep(20);
  }
}

/**
 * `count` requests alternating between the replicas. `connections` 0: all at once, each on a new
 * connection; otherwise that many keep-alive connections per replica, each sending its share
 * back to back.
 */
async function burst(urls, key, count, connections = 0) {
  const started = performance.now();
  const headers = { authorization: `Bearer ${key}` };
  const outcomes = [];
  if (connections === 0) {
    outcomes.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, i) =>
          get(`${urls[i % urls.length]}/v1/authorize`, headers, false),
        ),
      )),
    );
  } else {
    let next = 0;
    await Promise.all(
      urls.flatMap((url) =>
        Array.from({ length: connections }, async () => {
          while (next < count) {
            next++;
            outcomes.push(await get(`${url}/v1/authorize`, headers, keepAlive));
          }
        }),
      ),
    );
  }
  const counts = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return { counts, admitted: counts['200'] ?? 0, ms: performance.now() - started };
}

/** What the limit has spent so far, by a `cost: 0` peek (charges nothing). */
async function spent(url, key) {
  const response = await fetch(`${url}/v1/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, ratelimit: { name: 'default', cost: 0 } }),
  });
  const body = await response.json();
  return body.ratelimit ? body.ratelimit.limit - body.ratelimit.remaining : NaN;
}

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const pepper = randomBytes(32).toString('base64url');
  const redis = await startRedis({ cpus: '0-1' });
  const identity = await startIdentity({ brokers, pepper, tag: 'exact' });
  const groupId = `bench-gw-exact-${runId}`;
  const replicas = [
    await startGateway({
      name: 'gateway-1',
      redisUrl: redis.url,
      brokers,
      pepper,
      groupId,
      cpus: '1',
    }),
    await startGateway({
      name: 'gateway-2',
      redisUrl: redis.url,
      brokers,
      pepper,
      groupId,
      cpus: '0',
    }),
  ];
  const urls = replicas.map((r) => r.url);

  const modes = [
    { name: `${params.requests} new connections at once`, connections: 0 },
    {
      name: `${params.keepAlive} keep-alive connections per replica`,
      connections: params.keepAlive,
    },
  ];
  const trials = [];
  for (let trial = 1; trial <= params.trials; trial++) {
    for (const mode of modes) {
      const { key } = await identity.issueKey({
        name: `bench-exact-${trial}-${mode.connections}`,
        scopes: ['orders:read'],
        rateLimits: [{ name: 'default', limit: params.limit, window: '60s' }],
      });
      for (const url of urls) await waitValidPeek(url, key);
      const first = await burst(urls, key, params.requests, mode.connections);
      const charged = await spent(urls[0], key);
      await sleep(1_000);
      const second = await burst(urls, key, params.requests / 10, mode.connections);
      trials.push({ trial, mode, first, charged, second });
      log(
        `trial ${trial}, ${mode.name}: admitted ${first.admitted}, charged ${charged} ` +
          `${JSON.stringify(first.counts)} in ${ms(first.ms)}; 1 s later ${second.admitted} ` +
          JSON.stringify(second.counts),
      );
    }
  }

  const exactTrial = (t) =>
    t.first.admitted === params.limit && t.charged === params.limit && t.second.admitted === 0;
  const neverOver = (t) => t.first.admitted <= params.limit && t.charged <= params.limit;
  const exact = trials.every(exactTrial);
  const describe = (counts) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([outcome, n]) => `${n}× ${outcome}`)
      .join(', ');
  const rows = trials.map((t) => [
    `Trial ${t.trial}, ${t.mode.name}: admitted (target exactly ${params.limit}); charged to the limit; admitted of ${params.requests / 10} one second later (target 0)`,
    `**${t.first.admitted}**; ${t.charged}; **${t.second.admitted}**: ${exactTrial(t) ? 'exact' : neverOver(t) ? '**not exact** (never over the limit)' : '**over the limit**'}. Answers: ${describe(t.first.counts)} in ${ms(t.first.ms)}`,
  ]);
  rows.push([
    'Trials exact (admitted = charged = limit, then 0)',
    `${trials.filter(exactTrial).length} of ${trials.length}; over the limit in ${trials.filter((t) => !neverOver(t)).length}`,
  ]);
  const section = `## Gateway: exactness of a limit across two replicas

Measured ${date} with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'node bench/gateway-exactness.mjs'}
\`\`\`

**Machine:** ${mach.nproc} vCPUs (${mach.cpu}), Node ${mach.node}, Redis ${redis.version} (private).
A noisy shared 2-core box; the counts do not depend on it.

**Setup:** two gateway processes (\`NODE_ENV=production\`, one consumer group, one pinned to each
core) on one Redis. Per trial a new key with \`rateLimits: [{ name: "default", limit: ${params.limit},
window: "60s" }]\`, seen VALID at both replicas first with \`cost: 0\` (charges nothing); then
${params.requests} \`GET /v1/authorize\` (Bearer key, no route policy: the key's \`default\` limit, cost
1), alternating between the replicas, in two modes: all started at once, each on a new connection
(\`node:http\`, \`agent: false\`), and over ${params.keepAlive} keep-alive connections per replica
sending back to back. Admitted = \`200\`; "charged" is what the limit then shows as spent (a
\`cost: 0\` peek: limit − remaining), so that requests charged but not answered \`200\` show. One
second later ${params.requests / 10} more, which the sliding window must refuse.${extraGatewayNote}

${table(rows)}`;
  console.log(`\n${section}\n`);
  if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('gateway-exactness', section);
  if (!exact) process.exitCode = 1;
}

runBench(main);
