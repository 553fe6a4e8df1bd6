import { expiresAt } from './expiry';

describe('expiresAt', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  it.each([
    ['never', null],
    ['7d', '2026-01-08T00:00:00.000Z'],
    ['30d', '2026-01-31T00:00:00.000Z'],
    ['90d', '2026-04-01T00:00:00.000Z'],
    ['1y', '2027-01-01T00:00:00.000Z'],
    ['2026-06-01T10:00:00+02:00', '2026-06-01T08:00:00.000Z'],
  ])('%s', (expires, expected) => {
    expect(expiresAt(expires, now)?.toISOString() ?? null).toBe(expected);
  });
});
