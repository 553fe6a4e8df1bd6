import { type RateLimitState } from '@keyway/contracts';

/** Seconds from `nowMs` to `at`, rounded up, at least 0. */
const secondsUntil = (at: string, nowMs: number): number =>
  Math.max(0, Math.ceil((Date.parse(at) - nowMs) / 1000));

/**
 * Pure: the headers of an answer that charged rate limits. The IETF httpapi draft's
 * `RateLimit-Policy` (`"default";q=100;w=60`) and `RateLimit` (`"default";r=42;t=17`) list every
 * limit; the older `RateLimit-Limit`/`-Remaining`/`-Reset` describe the binding one (the one that
 * denied, or the one with the least left). A 429 adds `Retry-After`, never earlier than the reset.
 */
export function rateLimitHeaders(
  limits: readonly RateLimitState[],
  binding: RateLimitState | null,
  nowMs: number,
  denied: boolean,
): Record<string, string> {
  if (limits.length === 0 || binding === null) return {};
  const headers: Record<string, string> = {
    'ratelimit-policy': limits
      .map(({ name, limit, window }) => `"${name}";q=${limit};w=${Math.ceil(window / 1000)}`)
      .join(', '),
    ratelimit: limits
      .map(
        ({ name, remaining, resetAt }) =>
          `"${name}";r=${remaining};t=${secondsUntil(resetAt, nowMs)}`,
      )
      .join(', '),
    'ratelimit-limit': String(binding.limit),
    'ratelimit-remaining': String(binding.remaining),
    'ratelimit-reset': String(secondsUntil(binding.resetAt, nowMs)),
  };
  if (denied) headers['retry-after'] = String(Math.max(1, secondsUntil(binding.resetAt, nowMs)));
  return headers;
}
