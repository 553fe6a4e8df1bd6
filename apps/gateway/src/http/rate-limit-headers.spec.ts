import { rateLimitHeaders } from './rate-limit-headers';

const now = Date.parse('2026-01-01T00:00:00.000Z');
const limit = (name: string, remaining: number, resetInMs: number, passed = true) => ({
  name,
  limit: 100,
  window: 60_000,
  remaining,
  resetAt: new Date(now + resetInMs).toISOString(),
  passed,
});

describe('rate-limit headers', () => {
  it('lists every charged limit in the draft fields and the binding one in the old fields', () => {
    const a = limit('default', 42, 16_200);
    const b = limit('send', 3, 1_000);
    expect(rateLimitHeaders([a, b], b, now, false)).toEqual({
      'ratelimit-policy': '"default";q=100;w=60, "send";q=100;w=60',
      ratelimit: '"default";r=42;t=17, "send";r=3;t=1',
      'ratelimit-limit': '100',
      'ratelimit-remaining': '3',
      'ratelimit-reset': '1',
    });
  });

  it('adds Retry-After no earlier than the reset, at least one second', () => {
    const denied = limit('default', 0, 1_500, false);
    expect(rateLimitHeaders([denied], denied, now, true)['retry-after']).toBe('2');
    const now0 = limit('default', 0, 0, false);
    expect(rateLimitHeaders([now0], now0, now, true)['retry-after']).toBe('1');
  });

  it('says nothing when no limit was charged', () => {
    expect(rateLimitHeaders([], null, now, false)).toEqual({});
  });
});
