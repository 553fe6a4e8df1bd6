// Benchmark: the gateway rebuilding its projection from Kafka into an empty Redis.
//
//   bash bench/run.sh gateway-rebuild        (or `bash bench/run.sh gateway`)
//
// Produces BENCH_REBUILD_KEYS synthetic `keyway.key.issued.v1` events (each checked against the
// contract by a sample, message key = key id, as identity publishes them) to `keyway.keys.v1` of
// the bench's own broker, starts an empty private redis-server, then starts a gateway process
// with a fresh consumer group against it and times spawn → `/health/ready` 200 (the gateway is
// ready only once Redis holds every event that was on the topics when it started). Meanwhile it
// samples the projection's progress in Redis for the apply rate. A few of the keys are real
// (their hash is HMAC(pepper, key)); they must verify VALID afterwards.
//
// Env: KAFKA_BROKERS (required; bench/run.sh brings a fresh broker), KEYWAY_DIST,
//      BENCH_REBUILD_KEYS (1000000), BENCH_CPU_PROF (a directory: the gateway runs with
//      --cpu-prof into it), BENCH_COMMAND, BENCH_WRITE_DOCS (1).
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import {
  brokersOrExit,
  DIST,
  ensureTopics,
  intEnv,
  log,
  machine,
  rate,
  runId,
  sec,
  table,
  writeSection,
} from './lib.mjs';
import {
  CPU,
  cpuSeconds,
  onCleanup,
  redisCpuSeconds,
  runBench,
  startGateway,
  startRedis,
  verifyOnce,
} from './gateway-stack.mjs';

const params = {
  keys: intEnv('BENCH_REBUILD_KEYS', 1_000_000, 1),
  perSend: 4_000, // ≈ 0.5 MB per partition per request, under the broker's 1 MB batch limit
  inFlight: 4,
  realKeys: 10,
};
const brokers = brokersOrExit();
const require = createRequire(import.meta.url);
const { parseKeyEvent, TOPICS, TOPIC_SPECS } = require(join(DIST, 'libs/contracts/src/index.js'));
const { generateKey, hashKey, displayParts } = require(
  join(DIST, 'libs/key-material/src/index.js'),
);

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = (n) => {
  let out = '';
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out;
};

/** One issued event as identity would publish it; `real` gives a key that can be verified. */
function issuedEvent(i, tag, pepper, time, real) {
  const keyId = `key_${tag}${base62(i)}`;
  const key = real ? generateKey('kw', 'live') : null;
  const keyHash = key ? hashKey(pepper, key) : randomBytes(32).toString('hex');
  const parts = key
    ? displayParts(key)
    : { start: `kw_live_${base62(i).padStart(4, '0').slice(-4)}`, last4: 'abcd' };
  const event = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/keyway/identity',
    type: 'keyway.key.issued.v1',
    subject: keyId,
    time,
    datacontenttype: 'application/json',
    workspaceid: 'ws_bench',
    sequence: 1,
    actor: 'system',
    data: {
      keyId,
      workspaceId: 'ws_bench',
      name: `bench-${i}`,
      environment: 'live',
      keyHash,
      start: parts.start,
      last4: parts.last4,
      scopes: ['orders:read'],
      rateLimits: [{ name: 'default', limit: 1000, window: '60s', windowMs: 60_000 }],
      credits: null,
      allowedCidrs: null,
      expiresAt: null,
      ownerId: null,
      metadata: {},
      createdAt: time,
      createdBy: 'system',
    },
  };
  return { keyId, key, value: JSON.stringify(event) };
}

/** Messages on a topic; retried while a just-created topic has no leader known yet. */
async function messagesOn(admin, topic) {
  for (let attempt = 1; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0);
    } catch (error) {
      if (attempt >= 40 || error?.retriable === false) throw error;
      await sleep(250);
    }
  }
}

async function produce(kafka, pepper) {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const tag = base62(Date.now() % 62 ** 5);
  const time = new Date().toISOString();
  const every = Math.max(1, Math.floor(params.keys / params.realKeys));
  const real = [];
  // The contract decides what is valid: a sample of each kind goes through the gateway's parser.
  parseKeyEvent(issuedEvent(0, tag, pepper, time, false).value);
  parseKeyEvent(issuedEvent(0, tag, pepper, time, true).value);

  const started = performance.now();
  let next = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: params.inFlight }, async () => {
      while (next < params.keys) {
        const from = next;
        const to = Math.min(params.keys, from + params.perSend);
        next = to;
        const messages = [];
        for (let i = from; i < to; i++) {
          const e = issuedEvent(i, tag, pepper, time, i % every === 0);
          if (e.key) real.push(e);
          bytes += e.value.length;
          messages.push({ key: e.keyId, value: e.value });
        }
        await producer.send({ topic: TOPICS.keys, acks: 1, messages });
      }
    }),
  );
  await producer.disconnect();
  return { real, bytes, ms: performance.now() - started };
}

async function main() {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mach = machine();
  const pepper = randomBytes(32).toString('base64url');
  const kafka = new Kafka({
    clientId: `bench-rebuild-${runId}`,
    brokers,
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(
    admin,
    TOPIC_SPECS.filter((spec) => spec.name === TOPICS.keys || spec.name === TOPICS.workspaces),
  );
  const before =
    (await messagesOn(admin, TOPICS.keys)) + (await messagesOn(admin, TOPICS.workspaces));
  log(`producing ${params.keys} key.issued events (${before} events already on the topics)`);
  const produced = await produce(kafka, pepper);
  const total =
    (await messagesOn(admin, TOPICS.keys)) + (await messagesOn(admin, TOPICS.workspaces));
  await admin.disconnect();
  log(
    `produced in ${sec(produced.ms)} (${rate((params.keys / produced.ms) * 1000)}), ` +
      `${(produced.bytes / 1e6).toFixed(0)} MB of JSON; ${total} events on the topics`,
  );

  const redis = await startRedis();
  const client = redis.client();
  onCleanup(() => client.disconnect());
  if ((await client.dbsize()) !== 0) throw new Error('the private Redis is not empty');
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  const groupId = `bench-gw-rebuild-${runId}`;
  const progressKey = `keyway:projection:{${groupId}-projection}`;
  const redisCpuBefore = await redisCpuSeconds(client);
  const spawned = performance.now();
  const gateway = await startGateway({
    redisUrl: redis.url,
    brokers,
    pepper,
    groupId,
    wait: false,
    env: { LOG_LEVEL: 'info' }, // its start, group join and shutdown show if it ends early
    nodeArgs: process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [],
  });

  // Ready = caught up. Poll readiness every 50 ms; sample progress (events applied) every 250 ms.
  const timeline = [];
  let firstApplied = null;
  let ready = null;
  let lastSample = 0;
  const deadline = spawned + 30 * 60_000;
  while (ready === null) {
    const { exitCode, signalCode } = gateway.service.child;
    if (exitCode !== null || signalCode !== null) {
      throw new Error(
        `gateway exited (code ${exitCode}, signal ${signalCode}):\n${gateway.service.output()}`,
      );
    }
    if (performance.now() > deadline) throw new Error('gateway not ready in 30 min');
    const status = await fetch(`${gateway.url}/health/ready`)
      .then((r) => r.status)
      .catch(() => 0);
    const now = performance.now();
    if (status === 200) ready = now;
    if (now - lastSample >= 250 || ready !== null) {
      lastSample = now;
      const progress = await client.hgetall(progressKey);
      const applied = Object.values(progress).reduce((sum, v) => sum + Number(v), 0);
      timeline.push({ t: now - spawned, applied });
      if (firstApplied === null && applied > 0) firstApplied = now;
    }
    if (ready === null) await sleep(50);
  }
  const gatewayCpu = cpuSeconds(gateway.service.child.pid);
  const redisCpu = (await redisCpuSeconds(client)) - redisCpuBefore;
  const readyMs = ready - spawned;
  const applyMs = ready - (firstApplied ?? spawned);
  log(`ready after ${sec(readyMs)} (${rate((total / readyMs) * 1000)} from spawn)`);

  const dbsize = await client.dbsize();
  const memory = /used_memory:(\d+)/.exec(await client.info('memory'))?.[1];
  const checks = await Promise.all(produced.real.map((e) => verifyOnce(gateway.url, e.key)));
  const valid = checks.filter((c) => c.body?.code === 'VALID').length;

  // The steadiest stretch: the best rate over any 2 s of the timeline.
  let peak = 0;
  for (let i = 0; i < timeline.length; i++) {
    for (let j = i + 1; j < timeline.length; j++) {
      if (timeline[j].t - timeline[i].t >= 2000) {
        peak = Math.max(
          peak,
          ((timeline[j].applied - timeline[i].applied) / (timeline[j].t - timeline[i].t)) * 1000,
        );
        break;
      }
    }
  }
  const keysPerSec = (total / readyMs) * 1000;
  const rows = [
    [
      'Events replayed (synthetic key.issued + what else was on the topics)',
      `${total.toLocaleString('en-US')} (${params.keys.toLocaleString('en-US')} + ${(total - params.keys).toLocaleString('en-US')})`,
    ],
    ['Gateway spawn → `/health/ready` 200 (caught up), into an empty Redis', `**${sec(readyMs)}**`],
    [
      'Keys/s, spawn → ready (target ≥ 20,000/s)',
      `**${rate(keysPerSec)}**: ${keysPerSec >= 20_000 ? 'met' : '**missed**'}`,
    ],
    [
      'Apply rate: first event in Redis → ready; best 2 s stretch',
      `${rate((total / applyMs) * 1000)} (boot and group join before it: ${sec(readyMs - applyMs)}); ${rate(peak)}`,
    ],
    [
      'Redis after the rebuild: keys; used memory',
      `${dbsize.toLocaleString('en-US')}; ${(Number(memory) / 2 ** 20).toFixed(0)} MiB (${(Number(memory) / params.keys).toFixed(0)} B per projected key)`,
    ],
    [
      'CPU used, spawn → ready: gateway process; Redis',
      `${gatewayCpu.toFixed(1)} s (${((gatewayCpu * 100_000) / readyMs).toFixed(0)} % of one core); ${redisCpu.toFixed(1)} s (${((redisCpu * 100_000) / readyMs).toFixed(0)} %)`,
    ],
    [`Real keys among them verified afterwards`, `${valid} of ${produced.real.length} VALID`],
    [
      'Producing the events (not part of the rebuild)',
      `${sec(produced.ms)}, ${(produced.bytes / 1e6).toFixed(0)} MB of JSON (${(produced.bytes / params.keys).toFixed(0)} B per event)`,
    ],
  ];
  const section = `## Gateway: rebuilding the projection into an empty Redis

Measured ${date} with:

\`\`\`bash
${process.env.BENCH_COMMAND ?? 'node bench/gateway-rebuild.mjs'}
\`\`\`

**Machine:** ${mach.nproc} vCPUs (${mach.cpu}), ${mach.memGb} GB RAM, Node ${mach.node}, Redis
${redis.version} (a private, empty \`redis-server\`, no persistence, pinned to core ${CPU.load}), a
single-node Kafka broker (${process.env.BENCH_BROKER_NOTE ?? `at ${brokers.join(',')}`}, unpinned).
A noisy shared 2-core box. Load average (1, 5, 15 min) before the gateway started: ${load}.

**Setup:** ${params.keys.toLocaleString('en-US')} \`keyway.key.issued.v1\` events produced to
\`keyway.keys.v1\` (6 partitions, message key = key id, uncompressed like identity's publisher),
each a distinct key with one \`default\` limit, scope \`orders:read\`, no owner; one sample of each
kind parsed with the contract first; ${params.realKeys} of them carry real keys. Then one gateway
process (\`NODE_ENV=production\`, \`LOG_LEVEL=info\`, pinned to core ${CPU.server}) with a fresh
\`KAFKA_GROUP_ID\`, so it reads both projected topics from offset 0 into the empty Redis. Timed from
spawning the process to the first \`200\` of \`/health/ready\` (polled every 50 ms), which the gateway
gives only once Redis holds every event that was on the topics at its start (its watch checks every
500 ms). Keys/s counts every event replayed over that whole time, boot included.

${table(rows)}`;
  console.log(`\n${section}\n`);
  if (process.env.BENCH_WRITE_DOCS !== '0') await writeSection('gateway-rebuild', section);
  if (valid !== produced.real.length) process.exitCode = 1;
}

runBench(main);
