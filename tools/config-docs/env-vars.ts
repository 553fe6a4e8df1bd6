import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { type z } from 'zod';
import { auditEnvSchema } from '../../apps/audit/src/config';
import { gatewayEnvSchema } from '../../apps/gateway/src/config';
import { identityEnvSchema } from '../../apps/identity/src/config';

/** Each service's environment schema, as its `main.ts` validates it at boot. */
export const ENV_SCHEMAS = {
  identity: identityEnvSchema,
  gateway: gatewayEnvSchema,
  audit: auditEnvSchema,
} as const;
export type Service = keyof typeof ENV_SCHEMAS;
export const SERVICES = Object.keys(ENV_SCHEMAS) as Service[];

/** Files whose JSDoc comments describe the variables, most specific first. */
const DOC_SOURCES: Record<Service, string[]> = {
  identity: ['apps/identity/src/config.ts'],
  gateway: ['apps/gateway/src/config.ts'],
  audit: ['apps/audit/src/config.ts'],
};
const SHARED_DOC_SOURCE = 'libs/platform/config/src/env-schemas.ts';

/**
 * Values that must be kept secret: deployment keys, credentials, and URLs that can carry a
 * password. Decided by name, so a new `*_SECRET`, `*_PASSWORD` or signing key is one at once.
 */
export function isSecret(name: string): boolean {
  // A key's name (`…_KEY_NAME`) is public: it is in every signature line.
  if (/_NAME$/.test(name)) return false;
  return /PEPPER|PASSWORD|SECRET|SIGNING_KEY|SESSION_KEYS|PRIVATE_KEY|TOKEN|^REDIS_URL$/.test(name);
}

export interface EnvVar {
  name: string;
  service: Service;
  /** The raw default (what an unset variable means), or null when there is none. */
  defaultValue: string | null;
  /** `always`, `production` (required when NODE_ENV=production) or `no`. */
  required: 'always' | 'production' | 'no';
  /** Accepted values, briefly: `one of a, b`, `integer 1–100`, `URL`, `string`. */
  accepts: string;
  description: string | null;
  secret: boolean;
}

type Def = {
  type: string;
  [key: string]: unknown;
};
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** The fields of an object schema, through `.and()` intersections and refinements. */
function fields(schema: z.ZodType): Record<string, z.ZodType> {
  const def = defOf(schema);
  if (def.type === 'intersection') {
    return { ...fields(def['left'] as z.ZodType), ...fields(def['right'] as z.ZodType) };
  }
  if (def.type === 'object') return def['shape'] as Record<string, z.ZodType>;
  if (def.type === 'pipe') return fields(def['in'] as z.ZodType);
  throw new Error(`unexpected schema kind ${def.type}`);
}

/** Default and accepted values of one field, looking through defaults, optionals and pipes. */
function describeField(schema: z.ZodType): { defaultValue: string | null; accepts: string } {
  let current: unknown = schema;
  let defaultValue: string | null = null;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault') {
      defaultValue ??= String(def['defaultValue']);
      current = def['innerType'];
    } else if (def.type === 'optional' || def.type === 'nullable') {
      current = def['innerType'];
    } else if (def.type === 'pipe') {
      // A transform's input is what the environment holds; a preprocess's is its output.
      const input = defOf(def['in']);
      current = input.type === 'transform' ? def['out'] : def['in'];
    } else break;
  }
  const def = defOf(current);
  if (def.type === 'enum') {
    return { defaultValue, accepts: `one of ${Object.keys(def['entries'] as object).join(', ')}` };
  }
  if (def.type === 'number') {
    const checks = ((def['checks'] as { _zod: { def: Record<string, unknown> } }[]) ?? []).map(
      (check) => check._zod.def,
    );
    const lower = checks.find((check) => check['check'] === 'greater_than');
    const min = lower?.['value'];
    const max = checks.find((check) => check['check'] === 'less_than')?.['value'];
    const integer = checks.some((check) => check['format'] === 'safeint');
    const range =
      min !== undefined && max !== undefined
        ? ` ${String(min)}–${String(max)}`
        : min !== undefined
          ? ` ${lower?.['inclusive'] === false ? '>' : '≥'} ${String(min)}`
          : '';
    return { defaultValue, accepts: `${integer ? 'integer' : 'number'}${range}` };
  }
  if (def.type === 'string' && def['format'] === 'url') return { defaultValue, accepts: 'URL' };
  return { defaultValue, accepts: 'string' };
}

/** The paths a schema refuses for an environment: which variables that environment lacks. */
function missing(schema: z.ZodType, env: Record<string, string>): Set<string> {
  const result = schema.safeParse(env);
  return new Set(result.success ? [] : result.error.issues.map((issue) => String(issue.path[0])));
}

let docCache: Map<string, Map<string, string>> | undefined;
/** JSDoc of exported constants by name, from every source read (a property may name one). */
const constantDocs = new Map<string, string>();
/** JSDoc of `NAME: …` properties (or of the constant a property names) in one source file. */
function docsIn(root: string, file: string): Map<string, string> {
  docCache ??= new Map();
  const cached = docCache.get(file);
  if (cached) return cached;
  const source = ts.createSourceFile(
    file,
    readFileSync(join(root, file), 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const text = (node: ts.Node) =>
    ts
      .getJSDocCommentsAndTags(node)
      .filter(ts.isJSDoc)
      .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
  const properties = new Map<string, ts.PropertyAssignment>();
  const visit = (node: ts.Node) => {
    if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && text(node)) {
          constantDocs.set(declaration.name.text, text(node));
        }
      }
    }
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      if (/^[A-Z][A-Z0-9_]+$/.test(node.name.text)) properties.set(node.name.text, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const docs = new Map<string, string>();
  for (const [name, node] of properties) {
    const own = text(node);
    if (own) docs.set(name, own);
    else if (ts.isIdentifier(node.initializer)) docs.set(name, `=${node.initializer.text}`);
  }
  docCache.set(file, docs);
  return docs;
}

function describe(root: string, service: Service, name: string): string | null {
  const files = [
    ...DOC_SOURCES[service],
    SHARED_DOC_SOURCE,
    ...SERVICES.flatMap((other) => DOC_SOURCES[other]),
  ];
  for (const file of files) docsIn(root, file);
  for (const file of files) {
    const doc = docsIn(root, file).get(name);
    if (doc === undefined) continue;
    if (!doc.startsWith('=')) return doc;
    const named = constantDocs.get(doc.slice(1));
    if (named) return named;
  }
  return null;
}

/** Every variable of every service, from the schemas themselves. */
export function environmentVariables(root: string): EnvVar[] {
  return SERVICES.flatMap((service) => {
    const schema = ENV_SCHEMAS[service] as unknown as z.ZodType;
    const always = missing(schema, {});
    const production = missing(schema, { NODE_ENV: 'production' });
    return Object.entries(fields(schema)).map(([name, field]) => ({
      name,
      service,
      ...describeField(field),
      required: always.has(name) ? 'always' : production.has(name) ? 'production' : 'no',
      description: describe(root, service, name),
      secret: isSecret(name),
    }));
  });
}
