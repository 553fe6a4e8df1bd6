import { type EnvVar, SERVICES, type Service } from './env-vars';

const HEADER = `<!-- Generated from the services' config schemas (apps/*/src/config.ts) by
     tools/config-docs; \`npm run docs:config\` rewrites it, and \`npm test\` fails when it is stale. -->

# Configuration

Every service reads its configuration from environment variables and validates them at boot:
a bad value stops the process with a message naming the variable, never its value.
**Secret** variables belong in a Kubernetes Secret (\`keyway-secrets\` in k8s/), never in a
ConfigMap, an image or a log. "production" under **Required** means required when
\`NODE_ENV=production\` (the images set it).
`;

const code = (value: string) => `\`${value.replace(/\|/g, '\\|')}\``;
const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** One value per service, merged when the services agree. */
function perService(vars: EnvVar[], pick: (v: EnvVar) => string): string {
  const values = new Map<string, Service[]>();
  for (const v of vars) values.set(pick(v), [...(values.get(pick(v)) ?? []), v.service]);
  if (values.size === 1) return [...values.keys()][0] ?? '';
  return [...values].map(([value, services]) => `${services.join(', ')}: ${value}`).join('; ');
}

/** The markdown page: one table, one row per variable, in the services' order. */
export function configurationTable(vars: EnvVar[]): string {
  const byName = new Map<string, EnvVar[]>();
  for (const v of vars) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  const rows = [...byName].map(([name, entries]) => {
    const services = SERVICES.filter((service) => entries.some((v) => v.service === service));
    return [
      code(name),
      services.length === SERVICES.length ? 'all' : services.join(', '),
      perService(entries, (v) =>
        v.defaultValue === null ? '—' : v.defaultValue === '' ? '(empty)' : code(v.defaultValue),
      ),
      perService(entries, (v) => v.required),
      entries.some((v) => v.secret) ? '**yes**' : 'no',
      cell(perService(entries, (v) => v.accepts)),
      // The most specific description: the first service's that has one.
      cell(entries.find((v) => v.description !== null)?.description ?? '(undocumented)'),
    ];
  });
  const header = [
    'Variable',
    'Services',
    'Default',
    'Required',
    'Secret',
    'Accepts',
    'Description',
  ];
  // Columns padded as Prettier would, so the page reads well as plain text too.
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const table = [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(row)),
  ];
  return `${HEADER}\n${table.join('\n')}\n`;
}
