// Renders every kustomization under k8s/ with `kubectl kustomize` (offline, no cluster).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Directories under k8s/ an operator applies: the overlays and the optional extras. */
export function kustomizations(root) {
  const dirs = [];
  for (const group of ['overlays', 'extras']) {
    const base = join(root, 'k8s', group);
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(base, entry.name, 'kustomization.yaml'))) {
        dirs.push(join(base, entry.name));
      }
    }
  }
  return dirs.map((dir) => relative(root, dir)).sort();
}

export function render(root, dir) {
  const text = execFileSync('kubectl', ['kustomize', join(root, dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0].message}`);
    return doc.toJS();
  });
}
