// The manifest checks of `npm test` (scripts/manifests.sh), offline:
//  1. every overlay and extra under k8s/ renders (kubectl kustomize);
//  2. every object validates against the Kubernetes OpenAPI schemas (kubernetes-models; the
//     Prometheus Operator's and Traefik's CRDs from their model packages; Strimzi and
//     CloudNativePG have no published models and are only checked for apiVersion/kind/name);
//  3. a strict TypeScript check of every object against the same models' types, which catches
//     what schema validation lets through: misspelled optional fields (`readinesProbe`).
// Exits non-zero on any failure; prints one line per kustomization.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kustomizations, render } from './render.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the model of an apiVersion lives; null: no published model (structure only). */
function modelModule(apiVersion) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  if (apiVersion.startsWith('traefik.io/')) return `@kubernetes-models/traefik/${apiVersion}`;
  if (/^(kafka\.strimzi\.io|postgresql\.cnpg\.io)\//.test(apiVersion)) return null;
  return `kubernetes-models/${apiVersion}`;
}

const failures = [];
const typed = [];
const started = Date.now();
for (const dir of kustomizations(root)) {
  let objects;
  try {
    objects = render(root, dir);
  } catch (error) {
    failures.push(`${dir}: does not render: ${error.message}`);
    continue;
  }
  let validated = 0;
  let structural = 0;
  for (const [index, object] of objects.entries()) {
    const where = `${dir}: ${object?.kind}/${object?.metadata?.name}`;
    if (!object?.apiVersion || !object.kind || !object.metadata?.name) {
      failures.push(`${dir}: object ${index} lacks apiVersion, kind or metadata.name`);
      continue;
    }
    if (object.kind === 'Secret' && object.data) {
      // kustomize wraps long base64 values over lines; the API server's decoder (Go's base64)
      // skips the line breaks, the schema's "byte" format does not.
      for (const key of Object.keys(object.data))
        object.data[key] = object.data[key].replace(/\n/g, '');
    }
    const module = modelModule(object.apiVersion);
    if (module === null) {
      structural++;
      continue;
    }
    let Model;
    try {
      Model = (await import(`${module}/${object.kind}`))[object.kind];
    } catch {
      failures.push(`${where}: no model for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
      validated++;
      typed.push({ module: `${module}/${object.kind}`, kind: object.kind, object, where });
    } catch (error) {
      failures.push(`${where}: ${error.message.split('\n').slice(0, 6).join(' ')}`);
    }
  }
  console.log(
    `manifests: ${dir}: ${objects.length} objects rendered, ${validated} valid against the schemas` +
      (structural ? `, ${structural} CRD objects without a published schema (structure only)` : ''),
  );
}

// 3. The strict type check: each object as a literal `satisfies` its model's interface.
// Inside the repository (tmp/ is git-ignored), so that node_modules resolves as for any source.
mkdirSync(join(root, 'tmp'), { recursive: true });
const work = mkdtempSync(join(root, 'tmp', 'manifest-check-'));
try {
  const imports = new Map();
  const lines = [];
  for (const { module, kind, object, where } of typed) {
    if (!imports.has(module)) imports.set(module, `I${kind}_${imports.size}`);
    lines.push(
      `// ${where}`,
      `export const o${lines.length} = ${JSON.stringify(object, null, 2)} satisfies ${imports.get(module)};`,
    );
  }
  const header = [...imports].map(([module, alias]) => {
    const kind = module.split('/').pop();
    return `import type { I${kind} as ${alias} } from '${module}';`;
  });
  writeFileSync(join(work, 'manifests.ts'), [...header, ...lines].join('\n'));
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        skipLibCheck: true,
        types: [],
      },
      files: ['manifests.ts'],
    }),
  );
  writeFileSync(join(work, 'package.json'), '{"type":"module"}');
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', work], {
      encoding: 'utf8',
      cwd: root,
    });
    console.log(`manifests: strict type check of ${typed.length} objects passed`);
  } catch (error) {
    // Name the object each error is in: the generated file has a `// dir: Kind/name` line above it.
    const source = readFileSync(join(work, 'manifests.ts'), 'utf8').split('\n');
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n');
    const named = output.slice(0, 40).map((line) => {
      const at = /manifests\.ts\((\d+),/.exec(line);
      if (!at) return line;
      let index = Number(at[1]) - 1;
      while (index > 0 && !source[index].startsWith('// ')) index--;
      return `${source[index].slice(3)}: ${line.replace(/^.*error TS\d+: /, '')}`;
    });
    failures.push(`strict type check:\n    ${named.join('\n    ')}`);
  }
} finally {
  if (!process.env.KEEP_MANIFEST_CHECK) rmSync(work, { recursive: true, force: true });
  else console.log(`manifests: generated check kept in ${work}`);
}

if (failures.length > 0) {
  console.error(`manifests: ${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`manifests: all checks passed in ${Date.now() - started} ms`);
