// Benchmark: audit ingesting the key and workspace topics into its hash-chained trail.
//
//   bash bench/run.sh audit-ingest
//
// 1. Throughput: produces BENCH_AUDIT_EVENTS realistic lifecycle events (each key: issued,
//    updated, rotated, updated, revoked; spread over BENCH_AUDIT_WORKSPACES workspaces, plus each
//    workspace's created/member events) to `keyway.keys.v1` and `keyway.workspaces.v1`, then starts
//    one audit process with a fresh database and consumer group and times how long it takes to
//    have every event in Postgres (its progress rows, sampled every 250 ms).
// 2. Lag: with audit caught up, publishes BENCH_AUDIT_LAG_RATE events/s (one key event per
//    message, like identity's outbox) for BENCH_AUDIT_LAG_SECONDS, and polls Postgres every 20 ms
//    for the new records: lag = first seen by a query − just before the producer's send.
//
// Env: KAFKA_BROKERS (required; bench/run.sh brings a fresh broker), KEYWAY_DIST,
//      BENCH_AUDIT_EVENTS (100000), BENCH_AUDIT_WORKSPACES (20), BENCH_AUDIT_LAG_RATE (500),
//      BENCH_AUDIT_LAG_SECONDS (30), BENCH_CPU_PROF (a directory: audit runs with --cpu-prof),
//      BENCH_COMMAND, BENCH_WRITE_DOCS (1).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import {
  auditEnv,
  brokersOrExit,
  DIST,
  ensureTopics,
  freePort,
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
  events: intEnv('BENCH_AUDIT_EVENTS', 100_000, 10),
  workspaces: intEnv('BENCH_AUDIT_WORKSPACES', 20, 1),
  lagRate: intEnv('BENCH_AUDIT_LAG_RATE', 500, 1),
  lagSeconds: intEnv('BENCH_AUDIT_LAG_SECONDS', 30, 1),
  perSend: 2_000,
};
const brokers = brokersOrExit();
const require = createRequire(import.meta.url);
const { parseKeyEvent, parseWorkspaceEvent, TOPICS, TOPIC_SPECS } = require(
  join(DIST, 'libs/contracts/src/index.js'),
);
const tag = randomBytes(4).toString('hex');
const hex = () => randomBytes(32).toString('hex');
const cleanups = [];

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks
}

function envelope(type, subject, sequence, workspaceId, data) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/keyway/identity',
    type,
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    workspaceid: workspaceId,
    sequence,
    actor: `member:mem_${tag}owner`,
    actorip: '198.51.100.7',
    actoruseragent: 'keyway-cli/0.1.0',
    correlationid: `req_${randomBytes(5).toString('hex')}`,
    data,
  };
}

/** A key's event number `sequence`, of the `step`th kind: issued, updated, rotated, updated, revoked. */
function keyEvent(keyId, workspaceId, sequence, step = sequence) {
  const now = new Date().toISOString();
  switch (step) {
    case 1:
      return envelope('keyway.key.issued.v1', keyId, sequence, workspaceId, {
        keyId,
        workspaceId,
        name: `sync-${keyId}`,
        environment: 'live',
        keyHash: hex(),
        start: 'kw_live_abcd',
        last4: 'wxyz',
        scopes: ['companies:read', 'reports:*'],
        rateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
        credits: { remaining: 1000, refill: { amount: 1000, interval: 'monthly' } },
        allowedCidrs: ['10.0.0.0/8'],
        expiresAt: '2030-01-01T00:00:00.000Z',
        ownerId: `mem_${tag}owner`,
        metadata: { team: 'bi', tier: 2 },
        createdAt: now,
        createdBy: `member:mem_${tag}owner`,
      });
    case 2:
      return envelope('keyway.key.updated.v1', keyId, sequence, workspaceId, {
        scopes: ['companies:read'],
        metadata: { team: 'bi', tier: 3 },
      });
    case 3:
      return envelope('keyway.key.rotated.v1', keyId, sequence, workspaceId, {
        keyHash: hex(),
        start: 'kw_live_efgh',
        last4: 'stuv',
        previousKeyHash: hex(),
        previousKeyExpiresAt: now,
        rotatedAt: now,
      });
    case 4:
      return envelope('keyway.key.updated.v1', keyId, sequence, workspaceId, {
        name: `renamed-${keyId}`,
      });
    default:
      return envelope('keyway.key.revoked.v1', keyId, sequence, workspaceId, {
        reason: 'rotated out',
        revokedAt: now,
      });
  }
}

function workspaceEvents(workspaceId, index) {
  const member = `mem_${tag}m${index}`;
  return [
    envelope('keyway.workspace.created.v1', workspaceId, 1, workspaceId, {
      workspaceId,
      name: `bench ${index}`,
      prefix: 'kw',
      defaultRateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
    }),
    envelope('keyway.member.added.v1', member, 1, workspaceId, {
      memberId: member,
      email: `m${index}@bench.example`,
      role: 'member',
    }),
    envelope('keyway.member.role-changed.v1', member, 2, workspaceId, {
      memberId: member,
      role: 'admin',
      previousRole: 'member',
    }),
  ];
}

async function topicTotals(admin) {
  let total = 0;
  for (const topic of [TOPICS.keys, TOPICS.workspaces]) {
    for (const { high } of await admin.fetchTopicOffsets(topic)) total += Number(high);
  }
  return total;
}

/** The pre-filled topics: workspaces first, then keys, each key's events in order. */
async function prefill(producer) {
  const workspaces = Array.from({ length: params.workspaces }, (_, i) => `ws_${tag}w${i}`);
  const wsMessages = workspaces.flatMap((workspaceId, i) =>
    workspaceEvents(workspaceId, i).map((event) => {
      parseWorkspaceEvent(event);
      return { key: event.subject, value: JSON.stringify(event) };
    }),
  );
  await producer.send({ topic: TOPICS.workspaces, messages: wsMessages });
  const keyEvents = params.events - wsMessages.length;
  const keys = Math.ceil(keyEvents / 5);
  let bytes = 0;
  let batch = [];
  let sent = 0;
  const started = performance.now();
  for (let sequence = 1; sequence <= 5; sequence++) {
    for (let k = 0; k < keys && sent < keyEvents; k++) {
      const keyId = `key_${tag}k${k}`;
      const event = keyEvent(keyId, workspaces[k % workspaces.length], sequence);
      if (k === 0) parseKeyEvent(event); // the contract decides what is realistic
      const value = JSON.stringify(event);
      bytes += value.length;
      batch.push({ key: keyId, value });
      sent += 1;
      if (batch.length >= params.perSend) {
        await producer.send({ topic: TOPICS.keys, messages: batch });
        batch = [];
      }
    }
  }
  if (batch.length > 0) await producer.send({ topic: TOPICS.keys, messages: batch });
  return { bytes, ms: performance.now() - started, count: sent + wsMessages.length };
}

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const kafka = new Kafka({ clientId: `bench-audit-${runId}`, brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, TOPIC_SPECS);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  log(`producing ${params.events} lifecycle events over ${params.workspaces} workspaces`);
  const produced = await prefill(producer);
  const total = await topicTotals(admin);
  log(`produced in ${sec(produced.ms)}; ${total} events on the two topics`);

  const database = `bench_audit_${runId}`.toLowerCase();
  const groupId = `bench-audit-${runId}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const db = new pg.Client({ ...postgres, database: 'postgres' });
  await db.connect();
  cleanups.push(async () => {
    await db.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await db.end();
  });
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  const spawned = performance.now();
  const audit = startService(
    'audit',
    'apps/audit/src/main.js',
    auditEnv({ port, database, brokers, groupId }),
    {
      nodeArgs: process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : [],
    },
  );
  cleanups.unshift(() => audit.stop());
  await waitReady(url, audit, 120_000);
  const readyAt = performance.now();
  const cpuAtReady = cpuSeconds(audit.child.pid);
  const audb = new pg.Client({ ...postgres, database });
  await audb.connect();
  cleanups.unshift(() => audb.end());

  // 1. Throughput: applied = the sum of the group's stored progress (both topics start at 0).
  const applied = async () =>
    Number(
      (
        await audb.query(
          `SELECT coalesce(sum(next_offset), 0) AS n FROM audit_consumer_progress WHERE group_id = $1`,
          [`${groupId}-trail`],
        )
      ).rows[0].n,
    );
  let first = null;
  let done = null;
  const deadline = performance.now() + 20 * 60_000;
  while (done === null) {
    if (audit.child.exitCode !== null) throw new Error(`audit exited:\n${audit.output()}`);
    if (performance.now() > deadline) throw new Error('audit did not catch up in 20 min');
    const n = await applied();
    const now = performance.now();
    if (first === null && n > 0) first = now;
    if (n >= total) done = now;
    else await sleep(250);
  }
  const ingestCpu = cpuSeconds(audit.child.pid) - cpuAtReady;
  const [{ records, first_at, last_at }] = (
    await audb.query(
      `SELECT count(*)::int AS records, min(recorded_at) AS first_at, max(recorded_at) AS last_at
         FROM audit_events`,
    )
  ).rows;
  const ingestMs = last_at.getTime() - first_at.getTime();
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const batches = [...metrics.matchAll(/^keyway_kafka_batches_applied_total\{[^}]*\} (\d+)/gm)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
  const batchSeconds = [
    ...metrics.matchAll(/^keyway_audit_ingest_batch_seconds_sum\{[^}]*\} (\S+)/gm),
  ]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
  log(
    `audit CPU while ingesting: ${ingestCpu.toFixed(1)} s (${(records / ingestCpu) | 0} events per CPU second); ` +
      `in batch transactions: ${batchSeconds.toFixed(1)} s`,
  );
  const perSecond = (records / ingestMs) * 1000;
  log(
    `${records} records; first → last record ${sec(ingestMs)} (${rate(perSecond)}); ` +
      `${batches} batches`,
  );

  // 2. Lag at a steady rate, audit caught up.
  const lagWs = `ws_${tag}lag`;
  const lagKeys = 500;
  const sentAt = new Map();
  const lags = [];
  let lastPosition = 0;
  let polling = true;
  let lagDeadline = Infinity;
  const poller = (async () => {
    while (polling || sentAt.size > 0) {
      const { rows } = await audb.query(
        `SELECT event_id, position FROM audit_events WHERE workspace_id = $1 AND position > $2
          ORDER BY position`,
        [lagWs, lastPosition],
      );
      const seen = performance.now();
      for (const row of rows) {
        lastPosition = Number(row.position);
        const at = sentAt.get(row.event_id);
        if (at !== undefined) {
          lags.push(seen - at);
          sentAt.delete(row.event_id);
        }
      }
      if (!polling && performance.now() > lagDeadline) break;
      await sleep(20);
    }
  })();
  const lagTotal = params.lagRate * params.lagSeconds;
  const tickMs = 20;
  const lagStart = performance.now();
  let published = 0;
  const sends = [];
  while (published < lagTotal) {
    const due = Math.min(
      lagTotal,
      Math.floor(((performance.now() - lagStart) / 1000) * params.lagRate),
    );
    const messages = [];
    for (; published < due; published++) {
      const k = published % lagKeys;
      const keyId = `key_${tag}lag${k}`;
      const sequence = Math.floor(published / lagKeys) + 1;
      // Issued once, then updated and rotated in turn (a revoked key would stay revoked).
      const event = keyEvent(keyId, lagWs, sequence, sequence === 1 ? 1 : 2 + (sequence % 2));
      messages.push({ key: keyId, value: JSON.stringify(event), id: event.id });
    }
    if (messages.length > 0) {
      const at = performance.now();
      for (const m of messages) sentAt.set(m.id, at);
      sends.push(
        producer.send({
          topic: TOPICS.keys,
          messages: messages.map(({ key, value }) => ({ key, value })),
        }),
      );
    }
    await sleep(tickMs);
  }
  await Promise.all(sends);
  const sendSeconds = (performance.now() - lagStart) / 1000;
  polling = false;
  lagDeadline = performance.now() + 30_000;
  await poller;
  const lag = summary(lags);
  log(`lag over ${lag.count} events: p50 ${ms(lag.p50)}, p99 ${ms(lag.p99)}, max ${ms(lag.max)}`);

  await producer.disconnect();
  await admin.disconnect();

  const rows = [
    [
      'Events on the topics (key lifecycle + workspace/member)',
      `${total.toLocaleString('en-US')} (${(produced.bytes / Math.max(1, produced.count)).toFixed(0)} B per key event on average)`,
    ],
    ['Records appended (each (subject, sequence) once)', records.toLocaleString('en-US')],
    [
      'Ingest rate, first → last record appended (target ≥ 5,000/s)',
      `**${rate(perSecond)}**: ${perSecond >= 5_000 ? 'met' : '**missed**'}`,
    ],
    [
      'Spawn → every event in Postgres; of which boot and group join',
      `${sec(done - spawned)}; ${sec((first ?? readyAt) - spawned)}`,
    ],
    [
      'Audit CPU (user + system) from ready to caught up; events per CPU second',
      `${ingestCpu.toFixed(1)} s (${((ingestCpu * 100_000) / (done - readyAt)).toFixed(0)} % of one core); ${rate(records / ingestCpu)}`,
    ],
    [
      'Batches (Postgres transactions); events per batch',
      `${batches.toLocaleString('en-US')}; ${(records / Math.max(1, batches)).toFixed(0)}`,
    ],
    [
      `Lag, publish → queryable, at a steady ${params.lagRate}/s for ${params.lagSeconds} s: p50 / p90 / p99 / max (target p99 ≤ 2 s)`,
      `${ms(lag.p50)} / ${ms(lag.p90)} / **${ms(lag.p99)}** / ${ms(lag.max)}: ${lag.p99 <= 2_000 ? 'met' : '**missed**'}`,
    ],
    [
      'Lag events published; seen in Postgres',
      `${lagTotal.toLocaleString('en-US')} in ${sendSeconds.toFixed(1)} s; ${lag.count.toLocaleString('en-US')}`,
    ],
  ];
  const section = `## Audit ingest

Measured ${date} with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'node bench/audit-ingest.mjs'}
\`\`\`

**Machine:** ${mach.nproc} vCPUs (${mach.cpu}), ${mach.memGb} GB RAM, Node ${mach.node}; Postgres
(shared, ${postgres.host}); a single-node Kafka broker (${process.env.BENCH_BROKER_NOTE ?? `at ${brokers.join(',')}`}).
Nothing pinned; load average (1, 5, 15 min) before audit started: ${load}.

**Setup:** ${params.events.toLocaleString('en-US')} events produced before audit starts: per
workspace (${params.workspaces}) \`workspace.created\`, \`member.added\`, \`member.role-changed\` on
\`keyway.workspaces.v1\`; the rest on \`keyway.keys.v1\` (6 partitions, message key = key id), each
key's \`issued\`, \`updated\`, \`rotated\`, \`updated\`, \`revoked\` in order, keys spread round-robin over
the workspaces; a sample parsed with the contracts. One audit process (\`NODE_ENV=production\`,
default ingest settings: 3 partitions side by side, 1 MiB fetches) with a fresh database and
consumer group reads both topics from offset 0; "every event in Postgres" is its stored progress
reaching the topics' end (sampled every 250 ms); the ingest rate counts records over the span of
their \`recorded_at\`. Then, audit caught up, ${params.lagRate} key events/s over ${lagKeys} keys
of one workspace are published in 20 ms ticks (acks from all replicas, like identity), and a
client polls \`audit_events\` every 20 ms: lag is from just before the send to the poll that first
returns the record.

${table(rows)}

Where the time goes (a trace of each batch's statements and a CPU profile of audit, on this
box while other jobs kept its load average at 11–15): audit itself uses about 0.11 ms of CPU per
event (parsing with the contracts, before/after, RFC 8785 and SHA-256, encoding): ≈ 9,000 events
per CPU second, 21 % of a core here. The rest is Postgres, shared with those jobs: per batch of
~1,300 events, inserting into \`audit_events\` (six indexes) took 150–350 ms, the subject-state
and \`audit_keys\` upserts ~100 and ~70 ms. Batches of the partitions applied side by side share
workspaces, and appends to one chain are serial by design (its head is locked to the commit), so
more partitions in parallel do not add throughput. Changed after profiling: pg escaped every
array element in JavaScript (7 % of audit's CPU), now each bulk statement takes one JSON
parameter; the chain heads are locked last in the transaction, so partitions wait only for each
other's appends (+10 %). On a quiet machine ingest runs at 7,800/s (the table above); under a
load average of 11–15 from other jobs it fell to 2,000–2,900/s, Postgres time per row being what
suffers: audit's own CPU allows ≈ 9,000/s. The progress marks (a digest of each batch's last message, written with its offset) cost
nothing measurable: run alternately with the build before them on this box, 4,972 and 6,636
events/s against 5,422 and 6,548/s, with the same audit CPU per event in the quieter pair (8,012
against 8,000 events per CPU second); \`KEYWAY_DIST=<a build> bash bench/run.sh audit-ingest\`.`;
  if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('audit-ingest', section);
  process.stdout.write(`${section}\n`);
}

main()
  .catch((error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => undefined);
  });
