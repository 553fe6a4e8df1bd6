// Writes docs/events/: one JSON Schema per event type and the AsyncAPI document.
// Run after a build: `node dist/libs/contracts/src/export/export-schemas.js [outDir]`.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type EventType } from '../event-catalog';
import { asyncApiDocument } from './asyncapi';
import { eventJsonSchemas, eventSchemaFileName } from './json-schemas';

export const ASYNCAPI_FILE_NAME = 'asyncapi.json';

/** The repository root: the nearest directory above `from` that holds `nx.json`. */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No nx.json above ${from}`);
  }
}

export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes every schema and the AsyncAPI document to `outDir`; returns the files written. */
export function writeEventDocs(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const schemas = eventJsonSchemas();
  const wanted = new Set(
    Object.keys(schemas).map((type) => eventSchemaFileName(type as EventType)),
  );
  // A schema file without a catalog entry is stale (types are only ever added, so: a typo).
  for (const file of readdirSync(outDir)) {
    if (file.endsWith('.schema.json') && !wanted.has(file)) rmSync(join(outDir, file));
  }
  const written: string[] = [];
  for (const [type, schema] of Object.entries(schemas)) {
    const file = join(outDir, eventSchemaFileName(type as EventType));
    writeFileSync(file, toJsonFile(schema));
    written.push(file);
  }
  const asyncApiFile = join(outDir, ASYNCAPI_FILE_NAME);
  writeFileSync(asyncApiFile, toJsonFile(asyncApiDocument()));
  written.push(asyncApiFile);
  return written;
}

if (require.main === module) {
  const outDir = process.argv[2] ?? join(findRepoRoot(__dirname), 'docs', 'events');
  const written = writeEventDocs(outDir);
  process.stdout.write(`wrote ${written.length} files to ${outDir}\n`);
}
