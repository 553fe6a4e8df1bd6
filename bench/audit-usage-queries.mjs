// Audit usage: latency of the usage, activity and key report queries over a large usage history,
// and the ingest rate of UsageIngest.apply. Runs the built use cases (everything below the HTTP
// controller: repositories, SQL, shaping) against a dedicated database loaded with
// generate_series (not through Kafka), interleaved with a `SELECT 1` round trip as baseline.
//
// Env: KEYWAY_DIST, BENCH_USAGE_WINDOWS (10000000) usage_windows rows, BENCH_USAGE_KEYS (100000)
//      keys (half in one big workspace, the rest in 50 others; every 5th key used),
//      BENCH_QUERY_ROUNDS (200) samples per query, BENCH_INGEST_EVENTS (60000),
//      BENCH_INGEST_BATCH (1000), BENCH_KEEP_DB (0; 1 keeps the database).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DIST,
  intEnv,
  log,
  machine,
  ms,
  postgres,
  rate,
  runId,
  sec,
  summary,
  table,
  writeSection,
} from './lib.mjs';

const params = {
  windows: intEnv('BENCH_USAGE_WINDOWS', 10_000_000, 1000),
  keys: intEnv('BENCH_USAGE_KEYS', 100_000, 1000),
  rounds: intEnv('BENCH_QUERY_ROUNDS', 200, 1),
  ingestEvents: intEnv('BENCH_INGEST_EVENTS', 60_000, 1),
  ingestBatch: intEnv('BENCH_INGEST_BATCH', 1000, 1),
  keepDb: intEnv('BENCH_KEEP_DB', 0) === 1,
};
const require = createRequire(import.meta.url);
require('reflect-metadata');
const dist = (path) => require(join(DIST, path));
const { openDatabase } = dist('libs/platform/database/src/index.js');
const { AUDIT_MIGRATIONS } = dist('apps/audit/src/migrations/index.js');
const { Clock } = dist('apps/audit/src/clock.js');
const { AuditKeysReportsRepository } = dist(
  'apps/audit/src/usage/audit-keys-reports.repository.js',
);
const { UsageRollupsRepository } = dist('apps/audit/src/usage/usage-rollups.repository.js');
const { UsageWindowsRepository } = dist('apps/audit/src/usage/usage-windows.repository.js');
const { KeyActivityRepository } = dist('apps/audit/src/usage/key-activity.repository.js');
const { KeyAddressesRepository } = dist('apps/audit/src/usage/key-addresses.repository.js');
const { KeyUsageSeries } = dist('apps/audit/src/usage/key-usage-series.js');
const { KeyActivityView } = dist('apps/audit/src/usage/key-activity-view.js');
const { KeyReports } = dist('apps/audit/src/usage/key-reports.js');
const { UsageIngest } = dist('apps/audit/src/usage/usage-ingest.js');
const { VERIFICATION_CODES } = dist('libs/contracts/src/index.js');

const BIG = 'ws_big';
const USED_EVERY = 5; // every 5th key has usage
const SPAN_MINUTES = 60 * 24 * 60; // usage spread over the last 60 days
const database = `bench_audit_usage_${runId}`.toLowerCase();
const keyId = (i) => `key_${String(i).padStart(8, '0')}`;
const workspaceOf = (i) => (i <= params.keys / 2 ? BIG : `ws_w${i % 50}`);

async function timed(label, work) {
  const started = performance.now();
  await work();
  const elapsed = performance.now() - started;
  log(`${label}: ${sec(elapsed)}`);
  return elapsed;
}

/** Keys, usage windows, and the rollups, activity and addresses those windows imply. */
async function load(db) {
  const { keys, windows } = params;
  const usedKeys = Math.floor(keys / USED_EVERY);
  const perKey = Math.ceil(windows / usedKeys);
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET TimeZone = 'UTC'`);
  await db.query(`SET work_mem = '256MB'`);
  await db.query(`SET maintenance_work_mem = '512MB'`);
  const steps = {};
  steps.keys = await timed(`${keys} audit_keys`, () =>
    db.query(
      `INSERT INTO audit_keys (key_id, workspace_id, name, environment, status, created_at,
                               rotated_at, updated_at, sequence)
       SELECT 'key_' || lpad(i::text, 8, '0'),
              CASE WHEN i <= $1 / 2 THEN '${BIG}' ELSE 'ws_w' || (i % 50) END,
              'key ' || i, 'live',
              CASE WHEN i % 20 = 0 THEN 'revoked' ELSE 'active' END,
              now() - make_interval(days => 1 + i % 400),
              CASE WHEN i % 3 = 0 THEN now() - make_interval(days => i % 120) END,
              now(), 1
         FROM generate_series(1, $1) AS i`,
      [keys],
    ),
  );
  // Window w belongs to used key k = w % usedKeys (key number 5(k+1)), its j-th window; a key's
  // windows come in bursts of 10 one-second windows per minute, at pseudo-random minutes.
  await db.query(`DROP INDEX usage_windows_key_time`);
  await db.query(`DROP INDEX usage_windows_time`);
  const chunk = 1_000_000;
  steps.windows = await timed(`${windows} usage_windows`, async () => {
    for (let start = 0; start < windows; start += chunk) {
      await db.query(
        `INSERT INTO usage_windows (stream, sequence, workspace_id, key_id, window_start,
                                    window_end, first_seen_at, last_seen_at, counts,
                                    client_addresses)
         SELECT 'gateway/bench/' || (w % 4), w, ws, kid, t, t + interval '1 second',
                t + interval '10 ms', t + interval '900 ms',
                ARRAY[1 + w % 50, 0, CASE WHEN kid IS NULL THEN 1 ELSE 0 END, 0, 0, 0, 0,
                      w % 3, 0, CASE WHEN w % 7 = 0 THEN 3 ELSE 0 END],
                ARRAY[('10.' || (k % 250) || '.' || (j % 4) || '.1')::inet]
           FROM (SELECT w, w % $3 AS k, w / $3 AS j FROM generate_series($1::bigint, $2::bigint) AS w) s,
                LATERAL (SELECT CASE WHEN w % 50 = 0 THEN NULL ELSE 'key_' || lpad((5 * (k + 1))::text, 8, '0') END AS kid,
                                now() - make_interval(mins => ((k * 7919 + (j / 10) * 104729) % $4)::int,
                                                      secs => (j % 10)) AS t) x,
                LATERAL (SELECT CASE WHEN kid IS NULL THEN NULL
                                     WHEN 5 * (k + 1) <= $5 / 2 THEN '${BIG}'
                                     ELSE 'ws_w' || ((5 * (k + 1)) % 50) END AS ws) y`,
        [start, Math.min(windows, start + chunk) - 1, usedKeys, SPAN_MINUTES, keys],
      );
      log(`  ${Math.min(windows, start + chunk)} windows`);
    }
  });
  steps.windowIndexes = await timed('usage_windows indexes', async () => {
    await db.query(
      `CREATE INDEX usage_windows_key_time ON usage_windows (key_id, window_start) WHERE key_id IS NOT NULL`,
    );
    await db.query(`CREATE INDEX usage_windows_time ON usage_windows (window_start)`);
  });
  const sums = VERIFICATION_CODES.map((_, index) => `sum(counts[${index + 1}])`).join(', ');
  const columns =
    'valid, malformed, not_found, revoked, expired, wrong_environment, forbidden_address, insufficient_scope, usage_exceeded, rate_limited';
  steps.rollups = await timed('usage_rollups from the windows', async () => {
    for (const granularity of ['minute', 'hour', 'day']) {
      await db.query(
        `INSERT INTO usage_rollups (key_id, granularity, bucket_start, workspace_id, ${columns})
         SELECT key_id, '${granularity}', date_trunc('${granularity}', window_start),
                min(workspace_id), ${sums}
           FROM usage_windows WHERE key_id IS NOT NULL
          GROUP BY key_id, date_trunc('${granularity}', window_start)`,
      );
    }
  });
  steps.activity = await timed('key_activity and key_addresses from the windows', async () => {
    await db.query(
      `INSERT INTO key_activity (key_id, workspace_id, first_seen_at, last_seen_at, last_used_at,
                                 ${columns})
       SELECT key_id, min(workspace_id), min(first_seen_at), max(last_seen_at),
              max(last_seen_at) FILTER (WHERE counts[1] > 0), ${sums}
         FROM usage_windows WHERE key_id IS NOT NULL GROUP BY key_id`,
    );
    await db.query(
      `INSERT INTO key_addresses (key_id, address, workspace_id, first_seen_at, last_seen_at,
                                  windows)
       SELECT key_id, address, min(workspace_id), min(first_seen_at), max(last_seen_at), count(*)
         FROM usage_windows, unnest(client_addresses) AS address
        WHERE key_id IS NOT NULL GROUP BY key_id, address`,
    );
  });
  steps.analyze = await timed('VACUUM ANALYZE', () => db.query(`VACUUM ANALYZE`));
  const [counts] = await db.query(
    `SELECT (SELECT count(*) FROM usage_windows) AS windows,
            (SELECT count(*) FROM usage_rollups) AS rollups,
            (SELECT count(*) FROM key_activity) AS activity,
            (SELECT count(*) FROM key_addresses) AS addresses,
            (SELECT count(*) FROM audit_keys) AS keys,
            pg_size_pretty(pg_database_size(current_database())) AS size`,
  );
  log(`loaded: ${JSON.stringify(counts)}`);
  return { steps, counts, perKey, usedKeys };
}

const pick = (array, index) => array[index % array.length];

/** Each query, interleaved with the baseline, `rounds` times; latencies per query. */
async function measureQueries(db, { usedKeys }) {
  const clock = new Clock();
  const keys = new AuditKeysReportsRepository(db);
  const series = new KeyUsageSeries(keys, new UsageRollupsRepository(db), clock);
  const activity = new KeyActivityView(
    keys,
    new KeyActivityRepository(db),
    new KeyAddressesRepository(db),
  );
  const reports = new KeyReports(keys, clock);
  const caller = { keyId: 'key_caller', workspaceId: BIG, scopes: ['keyway:audit:read'] };
  const bigUsed = [];
  for (let k = 0; k < usedKeys && bigUsed.length < 5000; k += 1) {
    const i = USED_EVERY * (k + 1);
    if (workspaceOf(i) === BIG) bigUsed.push(keyId(i));
  }
  const bigUnused = bigUsed.map((id) => keyId(Number(id.slice(4)) - 1));
  const now = Date.now();
  const iso = (offset) => new Date(now - offset).toISOString();
  // The last 1440 whole buckets before the current one: exactly 1440 points whenever it runs.
  const maxRange = (size) => {
    const to = Math.floor(Date.now() / size) * size;
    return { from: new Date(to - 1440 * size).toISOString(), to: new Date(to).toISOString() };
  };
  const cases = {
    'SELECT 1 (baseline)': () => db.query('SELECT 1'),
    'usage, minute, default 60 points': (r) =>
      series.execute(caller, pick(bigUsed, r * 7), { granularity: 'minute' }),
    'usage, hour, default 24 points': (r) =>
      series.execute(caller, pick(bigUsed, r * 11), { granularity: 'hour' }),
    'usage, day, default 30 points': (r) =>
      series.execute(caller, pick(bigUsed, r * 13), { granularity: 'day' }),
    'usage, hour, 60 days (1440 points)': (r) =>
      series.execute(caller, pick(bigUsed, r * 17), {
        granularity: 'hour',
        ...maxRange(3_600_000),
      }),
    'usage, minute, 1 day (1440 points)': (r) =>
      series.execute(caller, pick(bigUsed, r * 19), {
        granularity: 'minute',
        ...maxRange(60_000),
      }),
    'activity of a used key (50 addresses)': (r) =>
      activity.execute(caller, pick(bigUsed, r * 23), { addressLimit: 50 }),
    'activity of a never-used key': (r) =>
      activity.execute(caller, pick(bigUnused, r * 29), { addressLimit: 50 }),
    'usage of another workspace key (404)': (r) =>
      series
        .execute({ ...caller, workspaceId: 'ws_w1' }, pick(bigUsed, r * 31), {
          granularity: 'hour',
        })
        .catch(() => null),
    'inactive keys, 30 days, first page of 100': () =>
      reports.inactive(caller, { days: 30, limit: 100 }),
    'inactive keys, 30 days, a page deep in the list': (r) =>
      reports.inactive(caller, {
        days: 30,
        limit: 100,
        cursor: Buffer.from(JSON.stringify([pick(bigUsed, r * 37)])).toString('base64url'),
      }),
    'inactive keys, 1 day, first page of 100 (most keys used)': () =>
      reports.inactive(caller, { days: 1, limit: 100 }),
    'stale keys, 90 days, first page of 100': () => reports.stale(caller, { days: 90, limit: 100 }),
    'stale keys, 90 days, a page deep in the list': (r) =>
      reports.stale(caller, {
        days: 90,
        limit: 100,
        cursor: Buffer.from(
          JSON.stringify([iso((100 + (r % 200)) * 86_400_000), pick(bigUsed, r)]),
        ).toString('base64url'),
      }),
  };
  const names = Object.keys(cases);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) await cases[name](0); // warm up
  for (let round = 0; round < params.rounds; round += 1) {
    for (const name of names) {
      const started = performance.now();
      await cases[name](round + 1);
      samples[name].push(performance.now() - started);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summary(samples[name])]));
}

/** UsageIngest.apply on batches of new windows of known keys: events per second. */
async function measureIngest(db, { usedKeys }, partitions) {
  const ingest = new UsageIngest(
    new UsageWindowsRepository(),
    new UsageRollupsRepository(db),
    new KeyActivityRepository(db),
    new KeyAddressesRepository(db),
  );
  const counts = Object.fromEntries(VERIFICATION_CODES.map((code) => [code, 0]));
  const perPartition = Math.ceil(params.ingestEvents / partitions);
  const stream = `gateway/ingest-bench/${partitions}/${runId}`;
  const event = (partition, sequence) => {
    const k = (sequence * 7 + partition * 13) % usedKeys;
    const i = USED_EVERY * (k + 1);
    const at = new Date(Date.now() - (sequence % 1000)).toISOString();
    return {
      specversion: '1.0',
      id: '0194c0a4-f1e2-7d3c-8b4a-59687a6b5c4d',
      source: '/keyway/gateway',
      type: 'keyway.usage.aggregated.v1',
      subject: `${stream}/${partition}`,
      time: at,
      datacontenttype: 'application/json',
      workspaceid: workspaceOf(i),
      sequence,
      actor: 'system',
      data: {
        keyId: keyId(i),
        workspaceId: workspaceOf(i),
        windowStart: at,
        windowEnd: at,
        firstSeenAt: at,
        lastSeenAt: at,
        counts: { ...counts, VALID: 1 + (sequence % 40), RATE_LIMITED: sequence % 9 === 0 ? 2 : 0 },
        // One address in 20 is new for its key.
        clientAddresses: [
          `10.${k % 250}.${sequence % 4}.1`,
          ...(sequence % 20 === 0 ? [`192.0.2.${sequence % 250}`] : []),
        ],
      },
    };
  };
  const started = performance.now();
  let recorded = 0;
  await Promise.all(
    Array.from({ length: partitions }, async (_, partition) => {
      for (let first = 1; first <= perPartition; first += params.ingestBatch) {
        const batch = [];
        for (let s = first; s < first + params.ingestBatch && s <= perPartition; s += 1) {
          batch.push(event(partition, s));
        }
        const ingested = await db.transaction((manager) => ingest.apply(manager, batch));
        recorded += ingested.length;
      }
    }),
  );
  const elapsed = performance.now() - started;
  return {
    events: perPartition * partitions,
    recorded,
    elapsed,
    rate: (recorded / elapsed) * 1000,
  };
}

async function main() {
  log(`audit usage bench: ${JSON.stringify(params)} into database ${database}`);
  const db = await openDatabase({
    connection: { ...postgres, database, poolSize: 4 },
    entities: [],
    migrations: AUDIT_MIGRATIONS,
    applicationName: 'bench-audit-usage',
  });
  try {
    const loaded = await load(db);
    const queries = await measureQueries(db, loaded);
    const ingest1 = await measureIngest(db, loaded, 1);
    const ingest2 = await measureIngest(db, loaded, 2);
    const box = machine();
    const queryRows = Object.entries(queries).map(
      ([name, s]) => `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`,
    );
    const { counts, steps } = loaded;
    const text = `## Audit usage

Command: \`${process.env.BENCH_COMMAND ?? 'bash bench/run.sh audit-usage-queries'}\` (bench/audit-usage-queries.mjs).
Machine: ${box.nproc} cores (${box.cpu}), ${box.memGb} GB, Node ${box.node}, PostgreSQL on the same machine, shared with other work.

Data, loaded with \`generate_series\` into a dedicated database (not through Kafka): ${Number(counts.keys).toLocaleString('en')} keys in \`audit_keys\` (half in one workspace, the one queried; 1 in 20 revoked; 1 in 5 used), ${Number(counts.windows).toLocaleString('en')} \`usage_windows\` rows over 60 days (2 % of unknown keys), and what they imply: ${Number(counts.rollups).toLocaleString('en')} \`usage_rollups\` rows, ${Number(counts.activity).toLocaleString('en')} \`key_activity\` rows, ${Number(counts.addresses).toLocaleString('en')} \`key_addresses\` rows; ${counts.size} on disk. Loading took ${sec(steps.windows)} for the windows, ${sec(steps.rollups)} for the rollups, ${sec(steps.activity)} for activity and addresses.

Latency of each use case (repositories, SQL and shaping: everything below the HTTP controller; an HTTP request adds routing, validation and the gateway's \`/v1/verify\` of the caller), ${params.rounds} samples each, interleaved round-robin with the \`SELECT 1\` baseline:

| Query | p50 | p95 | p99 | max |
| --- | --- | --- | --- | --- |
${queryRows.join('\n')}

Ingest, \`UsageIngest.apply\` alone, batches of ${params.ingestBatch} new windows of known keys (1 in 20 with a new address), each batch one transaction, on top of the data above. This is the worst case: every window of a batch is of a different key, so each adds its own three rollup rows and activity row, where a gateway's real batches repeat busy keys:

${table([
  [
    'One partition',
    `${rate(ingest1.rate)} (${ingest1.recorded} windows in ${sec(ingest1.elapsed)})`,
  ],
  [
    'Two partitions concurrently',
    `${rate(ingest2.rate)} (${ingest2.recorded} windows in ${sec(ingest2.elapsed)})`,
  ],
])}

Target: p95 ≤ 100 ms for every query, ingest ≥ 5,000 events/s.`;
    await writeSection('audit-usage', text);
    process.stdout.write(`${text}\n`);
  } finally {
    await db.destroy();
    if (!params.keepDb) {
      const { Client } = require('pg');
      const admin = new Client({ ...postgres, database: 'postgres' });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
