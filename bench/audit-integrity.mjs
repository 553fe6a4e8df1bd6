// Audit integrity: how long `GET /v1/audit/integrity`'s check takes over a chain of BENCH_INTEGRITY_ROWS
// (1,000,000) records, and the offline verifier (`keyway audit verify`) over the same chain exported
// as NDJSON. The chain is computed in Node and inserted in multi-row batches (not through Kafka).
// Run with `bash bench/run.sh audit-integrity`; it rewrites its section of docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import {
  DIST,
  insertTrailRecords,
  intEnv,
  log,
  machine,
  postgres,
  rate,
  runId,
  sec,
  writeSection,
} from './lib.mjs';

const markdownTable = ([head, ...rows]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

const require = createRequire(import.meta.url);
const chain = require(join(DIST, 'libs/audit-chain/src/index.js'));
const { openDatabase } = require(join(DIST, 'libs/platform/database/src/index.js'));
const { AUDIT_MIGRATIONS } = require(join(DIST, 'apps/audit/src/migrations/index.js'));
const { ChainHeadsRepository } = require(
  join(DIST, 'apps/audit/src/chain/chain-heads.repository.js'),
);
const { Clock } = require(join(DIST, 'apps/audit/src/clock.js'));
const { CheckpointsRepository } = require(
  join(DIST, 'apps/audit/src/integrity/checkpoints.repository.js'),
);
const { CheckpointWriter } = require(join(DIST, 'apps/audit/src/integrity/checkpoint-writer.js'));
const { AuditEventsRepository } = require(
  join(DIST, 'apps/audit/src/chain/audit-events.repository.js'),
);
const { IntegrityCheck } = require(join(DIST, 'apps/audit/src/integrity/integrity-check.js'));

const ROWS = intEnv('BENCH_INTEGRITY_ROWS', 1_000_000, 1);
const BATCH = 5_000;
const WORKSPACE = 'ws_benchintegrity';
const GENESIS = '0'.repeat(64);

function record(position, prevHash) {
  const unhashed = {
    workspaceId: WORKSPACE,
    position,
    id: `0194c0a5-2b3c-7d4e-8f50-${String(position).padStart(12, '0')}`,
    type: 'keyway.key.updated.v1',
    subject: `key_bench${position}`,
    sequence: 2,
    time: '2026-01-01T00:00:00.000Z',
    recordedAt: '2026-01-01T00:00:00.100Z',
    actor: 'member:mem_01JDQ4A2B3C4D5E6F7G8H9J0KM',
    clientAddress: '198.51.100.23',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) keyway-bench',
    correlationId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    keyId: `key_bench${position}`,
    before: { name: 'payments-service', scopes: ['payments:read'] },
    after: { name: 'payments-service (eu)', scopes: ['payments:read', 'payments:write'] },
    prevHash,
  };
  return { ...unhashed, hash: chain.recordHash(unhashed) };
}

async function generate(client) {
  const started = performance.now();
  let prevHash = GENESIS;
  for (let from = 1; from <= ROWS; from += BATCH) {
    const records = [];
    for (let position = from; position < Math.min(from + BATCH, ROWS + 1); position += 1) {
      const next = record(position, prevHash);
      records.push(next);
      prevHash = next.hash;
    }
    await insertTrailRecords(client, records, chain.canonicalJson);
    if ((from - 1) % 200_000 === 0) log(`inserted ${from - 1} records`);
  }
  await client.query(
    `INSERT INTO audit_chain_heads (workspace_id, size, head_hash, start_position, start_prev_hash)
     VALUES ($1, $2, $3, 1, $4)`,
    [WORKSPACE, ROWS, prevHash, GENESIS],
  );
  await client.query('VACUUM ANALYZE audit_events');
  return performance.now() - started;
}

/** Peak RSS while `run` runs, sampled every 50 ms. */
async function withPeakRss(run) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const value = await run();
    return { value, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  const database = `bench_integrity_${runId}`;
  const keys = {
    signer: chain.noteSigner(
      'audit.bench',
      chain.ed25519PrivateKey(Buffer.alloc(32, 7).toString('base64')),
    ),
    origin: 'audit.bench',
  };
  keys.verifiers = [keys.signer.verifier];
  const dataSource = await openDatabase({
    connection: { ...postgres, database, poolSize: 4 },
    entities: [],
    migrations: AUDIT_MIGRATIONS,
    applicationName: 'bench-integrity',
  });
  const client = new pg.Client({ ...postgres, database });
  await client.connect();
  const dir = mkdtempSync(join(tmpdir(), 'keyway-bench-integrity-'));
  try {
    const postgresVersion = (await client.query('SHOW server_version')).rows[0].server_version;
    log(`generating ${ROWS} records`);
    const generateMs = await generate(client);
    const heads = new ChainHeadsRepository();
    const checkpoints = new CheckpointsRepository();
    const clock = new Clock();
    await dataSource.transaction(async (manager) => {
      const head = await heads.find(manager, WORKSPACE);
      await new CheckpointWriter(keys, checkpoints, new AuditEventsRepository(), clock).signLocked(
        manager,
        [head],
      );
    });
    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(', ');

    const check = new IntegrityCheck(dataSource, heads, checkpoints, keys, clock);
    const runs = [];
    for (let round = 1; round <= 2; round += 1) {
      log(`integrity check, round ${round}`);
      const started = performance.now();
      const { value: report, peakRssMb } = await withPeakRss(() => check.run(WORKSPACE));
      const ms = performance.now() - started;
      if (!report.valid || report.records !== ROWS) {
        throw new Error(`the chain did not verify: ${JSON.stringify(report.breaks.slice(0, 3))}`);
      }
      runs.push({ ms, peakRssMb });
    }

    log('exporting NDJSON for the CLI');
    const exportFile = join(dir, 'export.ndjson');
    const out = createWriteStream(exportFile);
    const rows = client.query(
      new QueryStream(
        'SELECT record FROM audit_events WHERE workspace_id = $1 ORDER BY position',
        [WORKSPACE],
        {
          batchSize: 2_000,
          rowMode: 'array',
        },
      ),
    );
    for await (const [text] of rows) {
      if (!out.write(`${text}\n`)) await new Promise((resolve) => out.once('drain', resolve));
    }
    out.end();
    await finished(out);
    const notes = (await client.query('SELECT note FROM audit_checkpoints')).rows;
    writeFileSync(
      join(dir, 'checkpoints.ndjson'),
      notes.map((row) => `${JSON.stringify(row)}\n`).join(''),
    );
    writeFileSync(join(dir, 'audit.vkey'), `${keys.signer.verifier.vkey}\n`);
    log('keyway audit verify');
    const started = performance.now();
    const cli = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        'maxrss_kb=%M',
        process.execPath,
        join(DIST, 'apps/cli/src/main.js'),
        'audit',
        'verify',
        exportFile,
        '--checkpoints',
        join(dir, 'checkpoints.ndjson'),
        '--key',
        join(dir, 'audit.vkey'),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const cliMs = performance.now() - started;
    if (cli.status !== 0) throw new Error(`keyway audit verify failed: ${cli.stdout}${cli.stderr}`);
    const cliRssMb = Number(/maxrss_kb=(\d+)/.exec(cli.stderr)?.[1] ?? NaN) / 1024;
    const exportMb = statSync(exportFile).size / 2 ** 20;

    const m = machine();
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const figures = [
      ['Verification of the whole chain', 'Time', 'Records/s', 'Peak RSS'],
      ...runs.map((run, index) => [
        `\`IntegrityCheck\` (the endpoint's check), run ${index + 1}`,
        sec(run.ms),
        rate((ROWS / run.ms) * 1000),
        `${run.peakRssMb.toFixed(0)} MB (whole bench process)`,
      ]),
      [
        `\`keyway audit verify\` over the NDJSON export (${exportMb.toFixed(0)} MB)`,
        sec(cliMs),
        rate((ROWS / cliMs) * 1000),
        `${cliRssMb.toFixed(0)} MB (the CLI process)`,
      ],
      [
        'Generating the chain (hashing in Node, 5,000-row inserts)',
        sec(generateMs),
        rate((ROWS / generateMs) * 1000),
        '–',
      ],
    ];
    const text = `## Audit integrity

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'bash bench/run.sh audit-integrity'}
\`\`\`

**Machine:** ${m.nproc} vCPUs (${m.cpu}), ${m.memGb} GB RAM (\`free -g\` total), Node ${m.node},
PostgreSQL ${postgresVersion} (shared with other work on the machine). Load average (1, 5, 15 min)
before the measured runs: ${load}.

**Parameters:** one workspace chain of ${ROWS.toLocaleString('en-US')} records (about ${Math.round((exportMb * 2 ** 20) / ROWS)} bytes of
canonical JSON each), computed in Node and inserted directly, with its head row and one signed
checkpoint. The check is the code behind \`GET /v1/audit/integrity\` (\`IntegrityCheck.run\`)
called in the benchmark's process, without HTTP and authentication: one REPEATABLE READ snapshot,
rows streamed with \`pg-query-stream\` (2,000 per fetch) into the \`ChainVerifier\` (JSON parse,
RFC 8785 re-encoding and comparison, SHA-256, link and checkpoint checks per record). The CLI run
is a separate process reading the NDJSON export line by line.

${markdownTable(figures)}

Memory does not follow the chain: the CLI reads a ${exportMb.toFixed(0)} MB export in ${cliRssMb.toFixed(0)} MB, since the verifier
keeps the last record, the open gaps and the breaks, never the chain (the bench process's RSS
also holds what generating the chain left on its heap). Time is linear in the records; most of
it is per-record JSON parsing, RFC 8785 re-encoding and SHA-256 in one Node thread, the same
work in the service and the CLI.${
      loadavg()[0] > 2 * cpus().length
        ? ' The machine was loaded by other work (load average above): on an idle core the figures should be markedly better.'
        : ''
    }`;
    process.stdout.write(`${markdownTable(figures)}\n`);
    await writeSection('audit-integrity', text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await client.end();
    await dataSource.destroy();
    const admin = new pg.Client({ ...postgres, database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
