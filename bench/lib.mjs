// Shared by the benchmarks under bench/: environment, statistics, the services as processes,
// the machine description and the sections they write into docs/benchmarks.md.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DIST = resolve(ROOT, process.env.KEYWAY_DIST ?? 'dist');
export const DOC = join(ROOT, 'docs', 'benchmarks.md');

/** A date and pid tag, unique per run: database names, consumer groups. */
export const runId = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${process.pid}`;

const t0 = performance.now();
export const log = (message) =>
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);

export function intEnv(name, fallback, min = 0) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number >= ${min}, got '${raw}'`);
  }
  return value;
}

/** KAFKA_BROKERS, or the process ends saying bench/run.sh brings a broker. */
export function brokersOrExit() {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) {
    console.error('KAFKA_BROKERS is required (bench/run.sh starts a broker when it is not set)');
    process.exit(2);
  }
  return brokers;
}

export const postgres = {
  host: process.env.POSTGRES_HOST ?? '127.0.0.1',
  port: Number(process.env.POSTGRES_PORT ?? 5432),
  user: process.env.POSTGRES_USER ?? 'postgres',
  password: process.env.POSTGRES_PASSWORD,
};

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summary(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    over: (limit) => sorted.filter((value) => value > limit).length,
  };
}

export const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
export const sec = (value) => (Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : 'n/a');
export const rate = (value) => (Number.isFinite(value) ? `${Math.round(value)}/s` : 'n/a');

function sh(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

export function machine() {
  const totalGb = /^Mem:\s+(\d+)/m.exec(sh('free', ['-g']))?.[1];
  return {
    nproc: sh('nproc', []).trim() || String(cpus().length),
    cpu: cpus()[0]?.model?.trim() ?? 'unknown',
    memGb: totalGb ?? '?',
    node: process.version,
  };
}

/** The environment of an identity process on its own database, as the benchmarks run it. */
export function identityEnv({ port, database, brokers, groupId, pepper }) {
  return {
    ...process.env,
    NODE_ENV: 'development',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    POSTGRES_HOST: postgres.host,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_DATABASE: database,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: groupId,
    KEYWAY_PEPPER: pepper,
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}

/**
 * The environment of an audit process on its own database, as deployed (`NODE_ENV=production`);
 * without `port` for its `migrate` command. Production needs a signing key: a fixed, public
 * bench-only seed, so that a kept database (BENCH_AUDIT_KEEP_DB) sees the same key every run.
 */
export function auditEnv({ port, database, brokers, groupId }) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    ...(port === undefined ? {} : { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) }),
    POSTGRES_HOST: postgres.host,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_DATABASE: database,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: groupId,
    AUDIT_SIGNING_KEY: createHash('sha256').update('keyway bench signing key').digest('base64'),
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}

/**
 * Inserts trail records (`AuditRecord`s with their `workspaceId` and `position`) straight into
 * audit_events, one statement; `canonicalJson` is @keyway/audit-chain's, from dist/.
 */
export async function insertTrailRecords(client, records, canonicalJson) {
  await client.query(
    `INSERT INTO audit_events (workspace_id, position, event_id, subject, sequence, type, actor,
                               key_id, occurred_at, recorded_at, record)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[],
                          $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[])`,
    [
      records.map((r) => r.workspaceId),
      records.map((r) => r.position),
      records.map((r) => r.id),
      records.map((r) => r.subject),
      records.map((r) => r.sequence),
      records.map((r) => r.type),
      records.map((r) => r.actor),
      records.map((r) => r.keyId),
      records.map((r) => r.time),
      records.map((r) => r.recordedAt),
      records.map((r) => canonicalJson(r)),
    ],
  );
}

/** Creates the topics of `specs` (the contracts' `TOPIC_SPECS`) the broker does not have yet. */
export async function ensureTopics(admin, specs) {
  const existing = new Set(await admin.listTopics());
  const wanted = specs.filter((spec) => !existing.has(spec.name));
  if (wanted.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: wanted.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: -1,
      configEntries: [
        { name: 'retention.ms', value: String(spec.retentionMs ?? -1) },
        { name: 'cleanup.policy', value: spec.cleanupPolicy },
      ],
    })),
  });
}

/**
 * A built service (`script` under dist/) as a process, its output kept for error messages.
 * `cpus` (e.g. '1') pins it with `taskset -c`; `nodeArgs` go before the script (`--cpu-prof`).
 */
export function startService(name, script, env, { cpus, nodeArgs = [] } = {}) {
  let output = '';
  const argv = [...nodeArgs, script.startsWith('/') ? script : join(DIST, script)];
  const child = cpus
    ? spawn('taskset', ['-c', cpus, process.execPath, ...argv], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  return {
    name,
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

export async function waitReady(url, service, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(
        `${service.name} exited with ${service.child.exitCode}:\n${service.output()}`,
      );
    }
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(200);
  }
  throw new Error(
    `${service.name} not ready within ${timeoutMs} ms (${last}):\n${service.output()}`,
  );
}

export function table(rows) {
  const lines = ['| Figure | Value |', '| --- | --- |'];
  for (const [name, value] of rows) lines.push(`| ${name} | ${value} |`);
  return lines.join('\n');
}

/**
 * Markdown through the repository's prettier config. `wrap` re-wraps prose at the print width
 * (used for what a benchmark writes); the whole file is then formatted with `proseWrap` as
 * configured, so other sections keep their own line breaks.
 */
async function formatMarkdown(text, wrap) {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(DOC)) ?? {};
    return await prettier.format(text, {
      ...options,
      filepath: DOC,
      ...(wrap ? { proseWrap: 'always' } : {}),
    });
  } catch (error) {
    log(`prettier not applied to ${DOC}: ${String(error)}`);
    return text;
  }
}

/** Replaces the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` (or appends it). */
export async function writeSection(name, text) {
  const markStart = `<!-- bench:${name} -->`;
  const markEnd = `<!-- /bench:${name} -->`;
  const ours = (await formatMarkdown(`${markStart}\n\n${text.trim()}\n\n${markEnd}`, true)).trim();
  let doc;
  try {
    doc = await readFile(DOC, 'utf8');
  } catch {
    doc = await formatMarkdown(
      '# Benchmarks\n\nMeasured figures of the services, each section written by its benchmark ' +
        'under `bench/`. Rerun a benchmark to refresh its section; the others are kept.\n',
      true,
    );
  }
  const start = doc.indexOf(markStart);
  const end = doc.indexOf(markEnd);
  if (start !== -1 && end > start) {
    doc = doc.slice(0, start) + ours + doc.slice(end + markEnd.length);
  } else {
    doc = `${doc.trimEnd()}\n\n${ours}\n`;
  }
  await writeFile(DOC, await formatMarkdown(doc, false));
}
