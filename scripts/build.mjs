// Compiles every TypeScript source under apps/ and libs/ (tests excluded) to dist/ with swc,
// mirroring the tree so that the tsconfig path aliases, rewritten to relative imports, stay valid.
// Type checking is separate (`npm run typecheck`): swc only strips types.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const root = process.cwd();
const outDir = join(root, 'dist');
const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8'));
const swcrc = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8'));
const isTest = (file) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file);

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !isTest(entry.name))
      yield path;
  }
}

await rm(outDir, { recursive: true, force: true });
let count = 0;
for (const top of ['apps', 'libs']) {
  for await (const file of sources(join(root, top))) {
    const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, {
      ...swcrc,
      swcrc: false,
      filename: file,
      sourceFileName: relative(dirname(out), file),
      jsc: { ...swcrc.jsc, baseUrl: root, paths: tsconfig.compilerOptions.paths },
    });
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
    if (map) await writeFile(`${out}.map`, map);
    count++;
  }
}
console.log(`built ${count} files into dist/`);
