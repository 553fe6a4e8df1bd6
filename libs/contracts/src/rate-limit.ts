import { z } from 'zod';

const WINDOW = /^([1-9][0-9]{0,8})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `'60s'` → 60000; `null` for anything that is not a positive count of s, m, h or d. */
export function rateLimitWindowMs(window: string): number | null {
  const match = WINDOW.exec(window);
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const RateLimit = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/),
    limit: z.int().min(1),
    window: z.string().regex(WINDOW).meta({ description: "Window length, e.g. '60s', '1h'." }),
    windowMs: z.int().min(1).meta({ description: '`window` in milliseconds.' }),
  })
  .superRefine((rateLimit, ctx) => {
    if (rateLimitWindowMs(rateLimit.window) !== rateLimit.windowMs) {
      ctx.addIssue({ code: 'custom', path: ['windowMs'], message: 'must equal window in ms' });
    }
  })
  .meta({ description: 'A named sliding window: at most `limit` requests per `window`.' });

export const RateLimits = z.array(RateLimit).superRefine((rateLimits, ctx) => {
  const names = new Set<string>();
  rateLimits.forEach((rateLimit, index) => {
    if (names.has(rateLimit.name)) {
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: 'duplicate rate limit name' });
    }
    names.add(rateLimit.name);
  });
});

export type RateLimit = z.infer<typeof RateLimit>;

/** Rate limits as a client writes them (valid windows), with `windowMs` filled in. */
export function withWindowMs(limits: readonly Omit<RateLimit, 'windowMs'>[]): RateLimit[] {
  return limits.map(({ name, limit, window }) => {
    const windowMs = rateLimitWindowMs(window);
    if (windowMs === null) throw new RangeError(`not a rate limit window: ${window}`);
    return { name, limit, window, windowMs };
  });
}
