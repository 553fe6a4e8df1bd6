import { RateLimit, rateLimitWindowMs } from './index';

describe('rate limits', () => {
  it.each([
    ['60s', 60_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['0s', null],
    ['60', null],
    ['1.5h', null],
    ['500ms', null],
  ])('window %p is %p ms', (window, ms) => {
    expect(rateLimitWindowMs(window)).toBe(ms);
  });

  it('rejects a limit of 0 and unknown fields', () => {
    const result = RateLimit.safeParse({
      name: 'default',
      limit: 0,
      window: '60s',
      windowMs: 60_000,
      burst: 5,
    });
    expect(result.error?.issues.map((issue) => issue.code).sort()).toEqual([
      'too_small',
      'unrecognized_keys',
    ]);
  });
});
