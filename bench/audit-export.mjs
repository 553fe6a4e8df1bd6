// Benchmark: audit trail exports and queries over a million trail rows.
//
//   node bench/audit-export.mjs        (bash bench/run.sh audit-export builds the services and
//                                       brings a broker)
//
// Env: KAFKA_BROKERS (required: audit's consumers need a broker to be ready), KEYWAY_DIST (the
//      built services, default <repo>/dist), BENCH_AUDIT_ROWS (1000000, the big workspace's trail),
//      BENCH_AUDIT_SMALL_ROWS (100000, the small workspace's), BENCH_AUDIT_QUERIES (200 requests per
//      query shape), BENCH_AUDIT_KEEP_DB (a database name: use it when it exists, write it and keep
//      it when not; for iterating), BENCH_COMMAND, BENCH_WRITE_DOCS (1; 0 leaves
//      docs/benchmarks.md alone),
//      POSTGRES_HOST/PORT/USER/PASSWORD.
//
// It creates a database of its own and migrates it with audit's `migrate` command, then writes two
// workspace chains straight into audit_events (records computed here with @keyway/audit-chain's
// recordHash, inserted 5,000 rows per statement; no Kafka): a big one and a small one. It starts
// audit against that database, authenticating through a stub gateway (a node:http server that
// answers every /v1/verify VALID for the workspace being measured; the real gateway's verify is
// measured by bench/gateway-*.mjs), then:
//   1. exports each workspace as NDJSON (and the big one as CSV and OCSF), reading the body as it
//      comes and discarding it, while sampling the audit process's RSS (/proc, every 20 ms);
//   2. sends GET /v1/audit/events with each filter, one request at a time, and reports p50/p95.
// It prints a Markdown table, rewrites its section of docs/benchmarks.md, stops audit and drops
// the database.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  auditEnv,
  brokersOrExit,
  DIST,
  freePort,
  insertTrailRecords,
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
  rows: intEnv('BENCH_AUDIT_ROWS', 1_000_000, 1000),
  smallRows: intEnv('BENCH_AUDIT_SMALL_ROWS', 100_000, 1000),
  queries: intEnv('BENCH_AUDIT_QUERIES', 200, 10),
};
const brokers = brokersOrExit();
const keep = process.env.BENCH_AUDIT_KEEP_DB;
const database = keep ?? `bench_audit_export_${runId}`.toLowerCase();
const { recordHash, canonicalJson } = createRequire(import.meta.url)(
  join(DIST, 'libs', 'audit-chain', 'src', 'index.js'),
);

const BIG = 'ws_benchbig';
const SMALL = 'ws_benchsmall';
const KEYS = 10_000;
const GENESIS = '0'.repeat(64);
const START = Date.parse('2025-01-01T00:00:00.000Z');
const SPAN_MS = 400 * 86_400_000; // the default retention: 400 days of history
const TYPES = [
  ['keyway.key.updated.v1', 55],
  ['keyway.key.rotated.v1', 20],
  ['keyway.key.issued.v1', 10],
  ['keyway.key.revoked.v1', 5],
  ['keyway.key.expiring.v1', 5],
  ['keyway.key.expired.v1', 3],
  ['keyway.key.deleted.v1', 2],
];
const typeOf = (i) => {
  let slot = (i * 7919) % 100;
  for (const [type, weight] of TYPES) {
    if (slot < weight) return type;
    slot -= weight;
  }
  return TYPES[0][0];
};
/** 10,000 keys per workspace, each once per 10,000 records (7717 is prime to 10,000). */
const keyOf = (workspaceId, i) =>
  `key_${workspaceId.slice(8)}${String((i * 7717) % KEYS).padStart(5, '0')}`;
const actorOf = (i) => (i % 10 === 0 ? 'system' : `member:mem_bench${(i * 31) % 50}`);

/** The i-th record (1-based position) of a workspace's chain of `count`. */
function recordAt(workspaceId, position, count, prevHash) {
  const i = position - 1;
  // Event time grows with position over 400 days, with a little jitter: events reach audit
  // slightly out of order.
  const time = new Date(START + Math.floor((i / count) * SPAN_MS) + ((i * 37) % 5000) - 2500);
  const keyId = keyOf(workspaceId, i);
  const type = typeOf(i);
  const unhashed = {
    workspaceId,
    position,
    id: createHash('md5').update(`${workspaceId}:${position}`).digest('hex'),
    type,
    subject: keyId,
    sequence: Math.floor(i / KEYS) + 1,
    time: time.toISOString(),
    recordedAt: new Date(time.getTime() + 150).toISOString(),
    actor: actorOf(i),
    clientAddress: `198.51.${(i >> 8) & 255}.${i & 255}`,
    userAgent: 'keyway-cli/1.0 (bench)',
    correlationId: `req-${i}`,
    keyId,
    before: { name: `service-${i % 97}`, scopes: ['orders:read'], status: 'active' },
    after: {
      name: `service-${i % 97}`,
      scopes: ['orders:read', 'orders:write'],
      status: type.includes('revoked') ? 'revoked' : 'active',
      metadata: { team: `team-${i % 13}` },
    },
    prevHash,
  };
  const hash = recordHash(unhashed);
  return { ...unhashed, hash };
}

/** Computes a chain and inserts it, the next batch computed while Postgres inserts the last. */
async function writeChain(client, workspaceId, count) {
  let prevHash = GENESIS;
  const BATCH = 5000;
  let inserting = Promise.resolve();
  for (let from = 1; from <= count; from += BATCH) {
    const records = [];
    for (let position = from; position < Math.min(from + BATCH, count + 1); position++) {
      const record = recordAt(workspaceId, position, count, prevHash);
      prevHash = record.hash;
      records.push(record);
    }
    await inserting;
    inserting = insertTrailRecords(client, records, canonicalJson);
  }
  await inserting;
  await client.query(
    `INSERT INTO audit_chain_heads (workspace_id, size, head_hash, start_prev_hash)
     VALUES ($1, $2, $3, $4)`,
    [workspaceId, count, prevHash, GENESIS],
  );
}

/** Writes both chains with audit_events' secondary indexes dropped, then builds them again. */
async function writeChains(client) {
  const started = performance.now();
  const { rows: indexes } = await client.query(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE tablename = 'audit_events' AND indexname NOT IN ('audit_events_pkey', 'audit_events_subject_sequence')`,
  );
  for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
  await writeChain(client, BIG, params.rows);
  log(`wrote ${params.rows} rows`);
  await writeChain(client, SMALL, params.smallRows);
  for (const index of indexes) await client.query(index.indexdef);
  await client.query('VACUUM ANALYZE audit_events');
  return performance.now() - started;
}

/** A stub gateway: every key is VALID for `current.workspaceId` with keyway:audit:read. */
function stubGateway(current) {
  return createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          valid: true,
          code: 'VALID',
          keyId: 'key_benchcaller',
          workspaceId: current.workspaceId,
          environment: 'live',
          scopes: ['keyway:audit:read'],
          ownerId: null,
          metadata: {},
          expiresAt: null,
          ratelimit: null,
          ratelimits: [],
          credits: null,
        }),
      );
    });
  });
}

const rssKb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};

/** Streams one export, discarding it; the audit process's RSS sampled meanwhile. */
async function measureExport(url, pid, path) {
  const before = rssKb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 20);
  const started = performance.now();
  const response = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer bench' } });
  if (response.status !== 200)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  let bytes = 0;
  let lines = 0;
  const hash = createHash('sha256');
  for await (const chunk of response.body) {
    bytes += chunk.length;
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, rssKb(pid));
  return { elapsed, bytes, lines, before, peak, sha256: hash.digest('hex') };
}

async function measureQueries(url, path, count) {
  const latencies = [];
  let records = 0;
  for (let i = 0; i < count + 10; i++) {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer bench' } });
    const body = await response.json();
    if (response.status !== 200)
      throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    if (i >= 10) latencies.push(performance.now() - started);
    records = body.data.length;
  }
  return { ...summary(latencies), records };
}

const iso = (ms) => new Date(ms).toISOString();

async function main() {
  log(`database ${database}: ${params.rows} + ${params.smallRows} trail rows`);
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]))
    .rowCount;
  if (!exists) await admin.query(`CREATE DATABASE ${database}`);
  const env = auditEnv({ database, brokers, groupId: `bench-audit-${runId}` });
  const migrated = spawnSync(process.execPath, [join(DIST, 'apps/audit/src/main.js'), 'migrate'], {
    env,
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  const db = new pg.Client({ ...postgres, database });
  await db.connect();
  let audit;
  const current = { workspaceId: BIG };
  const gateway = stubGateway(current);
  try {
    const writeMs = exists ? NaN : await writeChains(db);
    const total = params.rows + params.smallRows;
    log(`wrote ${total} rows and their indexes in ${sec(writeMs)}`);
    const size = (
      await db.query(`SELECT pg_size_pretty(pg_total_relation_size('audit_events')) AS s`)
    ).rows[0].s;

    const gatewayPort = await freePort();
    await new Promise((listening) => gateway.listen(gatewayPort, '127.0.0.1', listening));
    const port = await freePort();
    audit = startService('audit', 'apps/audit/src/main.js', {
      ...env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      AUDIT_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      INVALID_KEY_LIMIT: '1000000',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, audit);
    const pid = audit.child.pid;
    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(', ');

    // 1. Exports: the small workspace first, then the big one, then the big one again (stable?).
    current.workspaceId = SMALL;
    const smalls = {};
    for (const format of ['ndjson', 'csv', 'ocsf']) {
      smalls[format] = await measureExport(url, pid, `/v1/audit/events/export?format=${format}`);
      log(
        `export ${format} ${smalls[format].lines} lines: ${sec(smalls[format].elapsed)}, peak RSS ${smalls[format].peak} kB`,
      );
    }
    current.workspaceId = BIG;
    const exports = {};
    for (const format of ['ndjson', 'csv', 'ocsf']) {
      exports[format] = await measureExport(url, pid, `/v1/audit/events/export?format=${format}`);
      log(
        `export ${format} ${exports[format].lines} lines: ${sec(exports[format].elapsed)}, peak RSS ${exports[format].peak} kB`,
      );
    }
    const again = await measureExport(url, pid, '/v1/audit/events/export?format=ndjson');
    const stable = again.sha256 === exports.ndjson.sha256;

    // 2. Queries, one at a time, over the big workspace.
    const mid = START + SPAN_MS / 2;
    const old = START + SPAN_MS * 0.2;
    const shapes = [
      ['no filter (newest 50)', '/v1/audit/events'],
      ['no filter, 100 pages deep (cursor)', null],
      ['keyId', `/v1/audit/events?keyId=${keyOf(BIG, 12345)}`],
      ['actor', '/v1/audit/events?actor=member:mem_bench7'],
      ['type (2 % of rows)', '/v1/audit/events?type=keyway.key.deleted.v1'],
      ['type, two of them', '/v1/audit/events?type=keyway.key.revoked.v1,keyway.key.deleted.v1'],
      ['time: the last 24 h', `/v1/audit/events?from=${iso(START + SPAN_MS - 86_400_000)}`],
      ['time: 1 h, 200 days back', `/v1/audit/events?from=${iso(mid)}&to=${iso(mid + 3_600_000)}`],
      [
        'time: 30 days, 320 days back',
        `/v1/audit/events?from=${iso(old)}&to=${iso(old + 30 * 86_400_000)}`,
      ],
      [
        'time: 300 days, ending 100 days back',
        `/v1/audit/events?from=${iso(START)}&to=${iso(START + 300 * 86_400_000)}`,
      ],
      [
        'keyId + time (30 days)',
        `/v1/audit/events?keyId=${keyOf(BIG, 12345)}&from=${iso(old)}&to=${iso(old + 30 * 86_400_000)}`,
      ],
      ['actor + type', '/v1/audit/events?actor=system&type=keyway.key.updated.v1'],
      ['actor + type, nothing matches', '/v1/audit/events?actor=system&type=keyway.key.revoked.v1'],
      [
        'actor + 2 types + from, nothing matches',
        `/v1/audit/events?actor=system&type=keyway.key.revoked.v1,keyway.key.deleted.v1&from=${iso(old)}`,
      ],
      ['limit=500', '/v1/audit/events?limit=500'],
    ];
    let deep = '/v1/audit/events';
    for (let i = 0; i < 100; i++) {
      const body = await (
        await fetch(`${url}${deep}`, { headers: { authorization: 'Bearer bench' } })
      ).json();
      deep = `/v1/audit/events?cursor=${body.nextCursor}`;
    }
    const queryRows = [];
    for (const [name, path] of shapes) {
      const result = await measureQueries(url, path ?? deep, params.queries);
      log(`${name}: p50 ${ms(result.p50)} p95 ${ms(result.p95)} (${result.records} records)`);
      queryRows.push([name, result]);
    }

    const m = machine();
    const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
    const exportRow = (label, e) => [
      label,
      `${e.lines.toLocaleString('en')} lines, ${(e.bytes / 1e6).toFixed(0)} MB in ${sec(e.elapsed)}: **${rate((e.lines / e.elapsed) * 1000)}** (${((e.bytes / 1e6 / e.elapsed) * 1000).toFixed(0)} MB/s); RSS ${mb(e.before)} before, **${mb(e.peak)} peak**`,
    ];
    const text = `## Audit queries and exports

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'node bench/audit-export.mjs'}
\`\`\`

**Machine:** ${m.nproc} vCPUs (${m.cpu}), ${m.memGb} GB RAM, Node ${m.node}; ${process.env.BENCH_BROKER_NOTE ?? 'a Kafka broker'}. Load average (1, 5, 15 min) before measuring: ${load}. Everything runs on this one machine.

**Data:** two workspace chains written straight into \`audit_events\` (records computed with
\`recordHash\`, 5,000 rows per INSERT, secondary indexes built afterwards): ${params.rows.toLocaleString('en')} rows and ${params.smallRows.toLocaleString('en')} rows in ${sec(writeMs)} (${rate((total / writeMs) * 1000)}, indexes and ANALYZE included); the table with its indexes: ${size}. 10,000 keys, 51 actors, 7 event types (updated 55 %, rotated 20 %, issued 10 %, revoked 5 %, expiring 5 %, expired 3 %, deleted 2 %), event times spread over 400 days. Audit runs with its defaults (\`LOG_LEVEL=warn\`) and authenticates through a stub gateway that answers every verify at once. Exports are read as fast as the client (\`fetch\`) takes them; RSS is the audit process's, sampled every 20 ms.

| Export | Figure |
| --- | --- |
${[
  exportRow(`NDJSON, ${params.smallRows.toLocaleString('en')} rows`, smalls.ndjson),
  exportRow(`NDJSON, ${params.rows.toLocaleString('en')} rows`, exports.ndjson),
  exportRow(`CSV, ${params.smallRows.toLocaleString('en')} rows`, smalls.csv),
  exportRow(`CSV, ${params.rows.toLocaleString('en')} rows`, exports.csv),
  exportRow(`OCSF, ${params.smallRows.toLocaleString('en')} rows`, smalls.ocsf),
  exportRow(`OCSF, ${params.rows.toLocaleString('en')} rows`, exports.ocsf),
  [
    'NDJSON exported twice: same bytes',
    stable ? `yes (sha256 ${exports.ndjson.sha256.slice(0, 16)}…)` : '**no**',
  ],
]
  .map(([a, b]) => `| ${a} | ${b} |`)
  .join('\n')}

\`GET /v1/audit/events\` over the ${params.rows.toLocaleString('en')}-row workspace, ${params.queries} requests per filter one at a time (after 10 warm-up requests), limit 50 unless said (target: p95 ≤ 100 ms):

${table(queryRows.map(([name, r]) => [name, `p50 ${ms(r.p50)} / p95 ${ms(r.p95)} / max ${ms(r.max)} (${r.records} records a page)`]))}

Memory: a 1 M-row export moves 10 times the bytes of a 100,000-row one and peaks 40 to 120 MB higher, at 260 to 340 MB; that is V8's heap growing over consecutive exports in one process, not rows held (the body is produced as the client reads it), and it does not grow with the export's size. Over the target: the first page of a time range that covers most of the trail but ends long ago (every match is read from the time index, about 750,000 here), and three filters whose intersection is empty while one of them (\`from\`) matches most rows; the pages after the first, and ranges or combinations with matches near the chain's end, are fast ([audit.md](api/audit.md#get-v1auditevents)).
`;
    process.stdout.write(`${text}\n`);
    if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('audit-export', text);
  } finally {
    if (audit) await audit.stop();
    gateway.close();
    await db.end();
    if (keep === undefined) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
