// wrk (Debian's `wrk`) as the load generator of the gateway benchmarks: a Lua script per target
// sets method, headers and body, optionally paces each connection (`delay`, for a fixed rate), and
// prints its summary as one JSON line that runWrk parses.
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CPU } from './gateway-stack.mjs';

export function wrkVersion() {
  const out = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (out.error) {
    throw new Error('wrk is not installed: apt-get install -y wrk (Debian), then run again');
  }
  return /wrk\s+(\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '?';
}

const luaString = (value) => JSON.stringify(value); // a JSON string is a valid Lua string here

/**
 * The Lua script of one target. `delayMs` (fractional allowed) paces every connection: after each
 * response wrk waits a delay drawn uniformly from [0, 2 × delayMs] (whole ms, rounded, so the mean
 * is delayMs). Random delays keep the connections from marching in step (a fixed delay keeps
 * them synchronised from their common start, and the server then sees bursts of all of them at
 * once); over many connections the arrivals are close to Poisson.
 */
export function wrkLua({ method = 'GET', headers = {}, body, delayMs }) {
  const lines = [`wrk.method = ${luaString(method)}`];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  }
  if (body !== undefined) lines.push(`wrk.body = ${luaString(body)}`);
  if (delayMs !== undefined) {
    lines.push(
      `local pace = ${Number(delayMs)}`,
      'function delay()',
      '  return math.floor(math.random() * 2 * pace + 0.5)',
      'end',
    );
  }
  lines.push(
    'function done(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'WRKJSON {"requests":%.0f,"durationUs":%.0f,"bytes":%.0f,' +
      '"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,' +
      '"meanUs":%.3f,"p50Us":%.0f,"p90Us":%.0f,"p99Us":%.0f,"p999Us":%.0f,"maxUs":%.0f}\\n\',',
    '    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,',
    '    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),',
    '    latency:percentile(99), latency:percentile(99.9), latency.max))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

export async function writeLua(dir, name, spec) {
  const file = join(dir, `${name}.lua`);
  await writeFile(file, wrkLua(spec));
  return file;
}

/**
 * Runs wrk pinned to the load core. Resolves with requests/s, errors and latency (ms). `stop`
 * (an AbortSignal) ends a long run early with SIGINT, after which wrk still prints its summary.
 */
export function runWrk({
  url,
  script,
  seconds,
  connections = 64,
  threads = 1,
  cpus = CPU.load,
  stop,
}) {
  return new Promise((done, fail) => {
    const args = ['-c', cpus, 'wrk', `-t${threads}`, `-c${connections}`, `-d${seconds}s`];
    args.push('--timeout', '10s', '-s', script, url);
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    stop?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    child.once('error', fail);
    child.once('exit', (code) => {
      const line = /WRKJSON (\{.*\})/.exec(out)?.[1];
      if (!line) {
        fail(new Error(`wrk ${url} gave no summary (exit ${code}):\n${out}`));
        return;
      }
      const r = JSON.parse(line);
      const durationS = r.durationUs / 1e6;
      done({
        requests: r.requests,
        durationS,
        rps: r.requests / durationS,
        errors: {
          connect: r.connect,
          read: r.read,
          write: r.write,
          status: r.status,
          timeout: r.timeout,
        },
        errorCount: r.connect + r.read + r.write + r.status + r.timeout,
        latencyMs: {
          mean: r.meanUs / 1000,
          p50: r.p50Us / 1000,
          p90: r.p90Us / 1000,
          p99: r.p99Us / 1000,
          p999: r.p999Us / 1000,
          max: r.maxUs / 1000,
        },
      });
    });
  });
}
