import { bindingPerName, verdictFromScript } from './verdict';

const window = (name: string, remaining: number, resetAt: string, passed = true) => ({
  name,
  limit: 10,
  window: 60_000,
  remaining,
  resetAt,
  passed,
});

describe('verdict', () => {
  it('reports one state per limit name: the refusing one that frees last, else the least left', () => {
    const early = '2026-01-01T00:00:10.000Z';
    const late = '2026-01-01T00:00:50.000Z';
    expect(bindingPerName([window('default', 5, early), window('default', 2, early)])).toEqual([
      window('default', 2, early),
    ]);
    expect(
      bindingPerName([window('default', 5, early), window('default', 0, late, false)]),
    ).toEqual([window('default', 0, late, false)]);
    expect(
      bindingPerName([
        window('a', 0, late, false),
        window('a', 0, early, false),
        window('b', 3, early),
      ]),
    ).toEqual([window('a', 0, late, false), window('b', 3, early)]);
  });

  it('answers a key owned by an identity with its effective scopes and the binding window', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    const reply = [
      'RATE_LIMITED',
      now,
      'ws_a',
      'live',
      'user_1',
      '',
      '["*"]',
      '{}',
      '',
      '',
      '["orders:read"]',
      2,
      'default',
      100,
      60_000,
      99,
      now + 1_000,
      1,
      'key',
      'default',
      3,
      60_000,
      0,
      now + 30_000,
      0,
      'identity',
    ];
    const { response } = verdictFromScript('key_1', reply);
    expect(response).toMatchObject({
      code: 'RATE_LIMITED',
      ownerId: 'user_1',
      scopes: ['orders:read'],
      ratelimit: { name: 'default', limit: 3, remaining: 0, passed: false },
      ratelimits: [{ name: 'default', limit: 3 }],
    });
  });

  it('keeps filtering a member-owned key by its role', () => {
    const reply = [
      'VALID',
      0,
      'ws',
      'live',
      'mem_1',
      'auditor',
      '["keyway:audit:read","keyway:keys:write","a:b"]',
      '{}',
      '',
      '',
      '',
      0,
    ];
    expect(verdictFromScript('key_1', reply).response.scopes).toEqual(['keyway:audit:read', 'a:b']);
  });
});
