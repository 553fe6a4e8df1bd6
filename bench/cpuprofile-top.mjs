// The hottest functions of a V8 CPU profile (node --cpu-prof), by self time and by total time.
//
//   node bench/cpuprofile-top.mjs <file.cpuprofile> [count=25]
//
// Self time: samples whose top frame is the function. Total time: samples with the function
// anywhere on the stack (counted once per sample). Functions are grouped by name and location;
// shares are of the busy (non-idle) samples.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './lib.mjs';

export function topFunctions(profile, count = 25) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    // Files of a build elsewhere (bench/run.sh builds into a temporary directory) as dist/….
    const file = url.replace(/^file:\/\//, '');
    const inDist = file.lastIndexOf('/dist/');
    const path = !file.startsWith('/')
      ? url
      : inDist !== -1 && !file.includes('/node_modules/')
        ? file.slice(inDist + 1)
        : relative(ROOT, file);
    const where = url ? `${path}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map();
  const total = new Map();
  const byPackage = new Map();
  const packageOf = (node) => {
    const { url, functionName } = node.callFrame;
    if (!url) return functionName.startsWith('(') ? functionName : '(native)';
    const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (modules) return modules[1];
    if (url.startsWith('node:')) return 'node: (core)';
    const dist = /dist\/((?:apps|libs)\/(?:platform\/)?[^/]+)/.exec(url);
    return dist ? dist[1] : url;
  };
  const deltas = profile.timeDeltas;
  let sampledUs = 0;
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    sampledUs += us;
    const top = nodes.get(id);
    const name = label(top);
    if (name === '(idle)') return;
    busyUs += us;
    const pkg = packageOf(top);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    self.set(name, (self.get(name) ?? 0) + us);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const l = label(nodes.get(n));
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + us);
    }
  });
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs }));
  const own = new Map([...total].filter(([name]) => / dist\//.test(name)));
  return {
    sampledMs: sampledUs / 1000,
    busyMs: busyUs / 1000,
    self: rank(self),
    total: rank(total),
    /** Self time summed per npm package, per app or lib of dist/, or per V8 category. */
    byPackage: rank(byPackage),
    /** Total time of the project's own functions (dist/). */
    own: rank(own),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count = '25'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [count]');
    process.exit(2);
  }
  const top = topFunctions(JSON.parse(readFileSync(file, 'utf8')), Number(count));
  const pct = (share) => `${(share * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `sampled ${(top.sampledMs / 1000).toFixed(1)} s, busy ${(top.busyMs / 1000).toFixed(1)} s` +
      ' (shares below are of busy time)\n\nself time:',
  );
  for (const f of top.self) console.log(`${pct(f.share)}  ${f.name}`);
  console.log('\nself time by package:');
  for (const f of top.byPackage) console.log(`${pct(f.share)}  ${f.name}`);
  console.log("\ntotal time of the project's own functions:");
  for (const f of top.own) console.log(`${pct(f.share)}  ${f.name}`);
  console.log('\ntotal time:');
  for (const f of top.total) console.log(`${pct(f.share)}  ${f.name}`);
}
