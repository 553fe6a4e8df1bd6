import { z } from 'zod';
import { KeyMetadata } from '../keys/key-fields';
import { RateLimit, rateLimitWindowMs } from '../rate-limit';

// Request fields shared by the management API's routes, with the explicit bounds that keep every
// value representable in the events it becomes (a request is refused here, never by the event
// contract after the fact).

/** The longest rate-limit window a request may set: 366 days. */
export const MAX_RATE_LIMIT_WINDOW_MS = 366 * 86_400_000;

/** A rate limit as a client writes it; the service adds `windowMs`. */
export const RateLimitInput = RateLimit.omit({ windowMs: true }).refine(
  ({ window }) => (rateLimitWindowMs(window) ?? Infinity) <= MAX_RATE_LIMIT_WINDOW_MS,
  { path: ['window'], message: 'at most 366d' },
);
export type RateLimitInput = z.input<typeof RateLimitInput>;

/** A list of named rate limits: at most 20, each name once. */
export const RateLimitInputs = z
  .array(RateLimitInput)
  .max(20)
  .superRefine((limits, ctx) => {
    const seen = new Set<string>();
    limits.forEach(({ name }, index) => {
      if (seen.has(name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: 'duplicate name' });
      }
      seen.add(name);
    });
  });

/** An ISO time with an offset whose UTC instant falls in years 0000–9999 (ISO-8601's range). */
export const IsoTimeInput = z.iso
  .datetime({ offset: true })
  .refine((value) => new Date(value).getUTCFullYear() <= 9999, {
    message: 'must be before the year 10000 (UTC)',
  });

/**
 * A whole number from a query string, written in plain decimal digits (`?limit=16`), between `min`
 * and `max`, `fallback` when absent. Unlike `z.coerce.number()`, it refuses what `Number()` would
 * also read — `0x10`, `1e1`, ` 16`, `16.0` — so one value has one spelling. OpenAPI shows it as
 * the integer it is.
 */
export function queryInteger(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, { message: 'must be a whole number in decimal digits' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    .meta({
      type: 'integer',
      minimum: min,
      maximum: max,
      pattern: undefined,
      // Zod leaves a transformed value's default out of input schemas; the text keeps it in view.
      description: `Default ${fallback}.`,
    });
}

/** The deepest nesting metadata may have: an object inside an object … 16 levels. */
export const MAX_METADATA_DEPTH = 16;

/**
 * How deeply `value` nests objects and arrays (a scalar is 0, `{}` is 1), counted without
 * recursion, so that it is safe on any parsed body; stops counting once past `limit`.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<readonly [unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as readonly [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Whether any object inside `value` has an own key `name` (iteratively; `value` is shallow). */
function hasKeyNamed(value: unknown, name: string): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (!Array.isArray(node) && Object.hasOwn(node, name)) return true;
    stack.push(...Object.values(node));
  }
  return false;
}

/**
 * Metadata as a client writes it: a JSON object of at most 4 KiB nested at most 16 deep. The depth
 * is checked first, without recursion, so no body can exhaust the stack of what reads it next.
 */
export const MetadataInput = z
  .unknown()
  .refine((value) => value !== null && typeof value === 'object' && !Array.isArray(value), {
    message: 'must be a JSON object',
    abort: true,
  })
  .refine((metadata) => nestingDepth(metadata, MAX_METADATA_DEPTH) <= MAX_METADATA_DEPTH, {
    message: `must nest at most ${MAX_METADATA_DEPTH} levels deep`,
    abort: true,
  })
  // zod's record check (here and in the event contracts) takes an object with its own
  // `constructor` for a class instance: say so rather than "expected record".
  .refine((metadata) => !hasKeyNamed(metadata, 'constructor'), {
    message: 'keys named "constructor" are not allowed',
    abort: true,
  })
  .pipe(KeyMetadata)
  .meta({
    description: 'Free-form JSON object, at most 4 KiB serialized and 16 levels deep.',
    // The checks above start from `unknown` (see why at the record check); documented as it is.
    type: 'object',
    additionalProperties: {},
  });
