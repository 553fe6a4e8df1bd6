// Benchmark: identity throttling failed authentications per client address.
//
//   node bench/identity-auth-throttle.mjs   (bash bench/run.sh identity-auth-throttle builds and
//                                             brings a broker)
//
// Env: KAFKA_BROKERS (required), KEYWAY_DIST (the built services, default <repo>/dist),
//      BENCH_THROTTLE_ATTEMPTS (600): invalid keys sent from one address per run,
//      BENCH_THROTTLE_CONCURRENCY (16): concurrent keep-alive clients of the concurrent runs,
//      BENCH_COMMAND, BENCH_WRITE_DOCS (1; 0 leaves docs/benchmarks.md alone),
//      POSTGRES_HOST/PORT/USER/PASSWORD (127.0.0.1, 5432, postgres).
//
// It starts identity twice on a fresh database (TRUST_PROXY=true, so each request names its client
// address in X-Forwarded-For): once with the limit out of reach (INVALID_KEY_LIMIT=1000000, as
// before the throttle existed), once with the defaults (50 per 60 s). Each time it sends invalid
// keys from one address and counts the answers until the first 429; then it checks that another
// address is unaffected (its invalid key 401, its valid key 200) and that the same IPv6 /64 is not.
// It prints a Markdown table, rewrites its section of docs/benchmarks.md, stops identity and
// drops the database.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
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

const params = {
  attempts: intEnv('BENCH_THROTTLE_ATTEMPTS', 600, 1),
  concurrency: intEnv('BENCH_THROTTLE_CONCURRENCY', 16, 1),
};
const brokers = brokersOrExit();
const database = `bench_throttle_${runId}`;
const pepper = randomBytes(32).toString('base64url');

const { generateKey } = createRequire(import.meta.url)(
  join(DIST, 'libs/key-material/src/index.js'),
);
/** A well-formed key nobody issued: it passes the shape check and is looked up, in vain. */
const unknownKey = () => generateKey('kw', 'live');

async function call(url, from, key) {
  const started = performance.now();
  const response = await fetch(`${url}/v1/keys?limit=1`, {
    headers: { 'x-forwarded-for': from, authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  return {
    status: response.status,
    latency: performance.now() - started,
    ended: performance.now(),
  };
}

/**
 * `attempts` invalid keys from one address with `concurrency` clients; answers in the order they
 * arrived. `untilFirst429` is the number of answers received before the first 429.
 */
async function guess(url, from, { attempts, concurrency }) {
  const answers = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, attempts) }, async () => {
      while (next++ < attempts) answers.push(await call(url, from, unknownKey()));
    }),
  );
  const wallMs = performance.now() - started;
  const first429 = answers.findIndex((answer) => answer.status === 429);
  const byStatus = {};
  for (const { status } of answers) byStatus[status] = (byStatus[status] ?? 0) + 1;
  return {
    wallMs,
    byStatus,
    untilFirst429: first429 === -1 ? NaN : first429,
    msUntilFirst429: first429 === -1 ? NaN : answers[first429].ended - started,
    latency401: summary(answers.filter((a) => a.status === 401).map((a) => a.latency)),
    latency429: summary(answers.filter((a) => a.status === 429).map((a) => a.latency)),
  };
}

async function withIdentity(env, work) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = startService('identity', 'apps/identity/src/main.js', {
    ...identityEnv({ port, database, brokers, groupId: `bench-throttle-${runId}`, pepper }),
    TRUST_PROXY: 'true',
    ...env,
  });
  try {
    await waitReady(url, service);
    return await work(url);
  } finally {
    log(`identity stopped (${await service.stop()})`);
  }
}

function bootstrap() {
  const env = {
    ...identityEnv({ port: 1, database, brokers, groupId: `bench-throttle-${runId}`, pepper }),
  };
  const boot = spawnSync(
    process.execPath,
    [join(DIST, 'apps/identity/src/command.js'), 'bootstrap', '--workspace', 'bench', '--json'],
    { env, encoding: 'utf8', timeout: 60_000 },
  );
  if (boot.status !== 0) throw new Error(`bootstrap failed (${boot.status}): ${boot.stderr}`);
  return JSON.parse(boot.stdout.trim().split('\n').pop()).key;
}

const statuses = (byStatus) =>
  Object.entries(byStatus)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');

function figures(r) {
  const { attempts, concurrency } = params;
  return [
    [
      `Limit out of reach (as before): ${attempts} invalid keys, ${concurrency} clients`,
      `${statuses(r.off.byStatus)} in ${sec(r.off.wallMs)} (${rate((attempts / r.off.wallMs) * 1000)})`,
    ],
    [
      `Defaults (50 per 60 s), 1 client: answers before the first 429`,
      `**${r.sequential.untilFirst429}** (all 401), first 429 after ${ms(r.sequential.msUntilFirst429)}`,
    ],
    [`Defaults, 1 client: all ${attempts} answers`, statuses(r.sequential.byStatus)],
    [
      `Defaults, ${concurrency} clients: answers before the first 429`,
      `**${r.concurrent.untilFirst429}**; in all ${statuses(r.concurrent.byStatus)}`,
    ],
    [
      'Latency p50 / p99: 401 (key looked up) vs 429 (refused before lookup), 1 client',
      `${ms(r.sequential.latency401.p50)} / ${ms(r.sequential.latency401.p99)} vs ${ms(r.sequential.latency429.p50)} / ${ms(r.sequential.latency429.p99)}`,
    ],
    ['Throttled address, its next invalid key', r.others.throttledAgain],
    ['Another address, an invalid key', r.others.otherInvalid],
    ['Another address, a valid key', r.others.otherValid],
    ['Another address of the same IPv6 /64 as a throttled one', r.others.sameSlash64],
    ['Another IPv6 /64', r.others.otherSlash64],
  ];
}

function section(r) {
  const { attempts, concurrency } = params;
  return `## Identity: failed authentication throttle

Measured ${r.date} with:

\`\`\`bash
${r.command}
\`\`\`

**Machine:** ${r.machine.nproc} vCPUs (${r.machine.cpu}), Node ${r.machine.node}; identity with
\`TRUST_PROXY=true\` and \`LOG_LEVEL=warn\` on a fresh database, everything on this one machine.

${table(figures(r))}

What is measured:

- Every request is \`GET /v1/keys\` with a well-formed, unknown key (\`kw_live_…\`, never issued):
  it passes the shape check, so without the throttle each one is looked up in Postgres. The client
  address is the \`X-Forwarded-For\` the request carries (identity trusts it here).
- **Limit out of reach**: \`INVALID_KEY_LIMIT=1000000\`, i.e. identity as it was before: every
  guess is answered \`401\` at full speed (${attempts} from ${concurrency} keep-alive clients).
- **Defaults**: \`INVALID_KEY_LIMIT=50\`, \`INVALID_KEY_WINDOW_S=60\`. With one client the 51st
  request is the first \`429\`. With ${concurrency} concurrent clients a few more \`401\`s get
  through: requests already past the check while the 50th failure was being looked up (at most
  limit + clients − 1).
- **Others**: while the first address is throttled, another address still gets \`401\` for an
  invalid key and \`200\` for a valid one; an address of a throttled IPv6 /64 (after 50 failures
  spread over that /64) gets \`429\`, one of another /64 \`401\`.`;
}

async function main() {
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  try {
    const result = {
      date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      machine: machine(),
      command: process.env.BENCH_COMMAND ?? 'node bench/identity-auth-throttle.mjs',
    };
    result.off = await withIdentity({ INVALID_KEY_LIMIT: '1000000' }, async (url) => {
      log(`limit out of reach: ${params.attempts} invalid keys, ${params.concurrency} clients`);
      return guess(url, '203.0.113.1', params);
    });
    const owner = bootstrap();
    await withIdentity({}, async (url) => {
      log('defaults: one client');
      result.sequential = await guess(url, '203.0.113.10', { ...params, concurrency: 1 });
      log(`defaults: ${params.concurrency} clients`);
      result.concurrent = await guess(url, '203.0.113.11', params);
      const answer = async (from, key) => String((await call(url, from, key)).status);
      for (let i = 1; i <= 50; i++)
        await call(url, `2001:db8:aa:1::${i.toString(16)}`, unknownKey());
      result.others = {
        throttledAgain: await answer('203.0.113.10', unknownKey()),
        otherInvalid: await answer('203.0.113.20', unknownKey()),
        otherValid: await answer('203.0.113.21', owner),
        sameSlash64: await answer('2001:db8:aa:1:ffff::1', unknownKey()),
        otherSlash64: await answer('2001:db8:aa:2::1', unknownKey()),
      };
    });
    console.log(`\n${table(figures(result))}\n`);
    if (process.env.BENCH_WRITE_DOCS !== '0') {
      await writeSection('identity-auth-throttle', section(result));
      log(`wrote ${DOC}`);
    }
    const ok =
      result.sequential.untilFirst429 === 50 &&
      result.others.throttledAgain === '429' &&
      result.others.otherInvalid === '401' &&
      result.others.otherValid === '200' &&
      result.others.sameSlash64 === '429' &&
      result.others.otherSlash64 === '401';
    if (!ok) process.exitCode = 1;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch((error) => {
      log(`could not drop ${database}: ${String(error)}`);
    });
    await admin.end().catch(() => undefined);
  }
}

await main();
