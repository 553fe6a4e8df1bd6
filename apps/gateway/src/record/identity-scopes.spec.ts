import { effectiveScopes, grants } from './identity-scopes';

describe('identity scopes', () => {
  it('grants literally, through resource:*, and through a bare * only where allowed', () => {
    expect(grants(['orders:read'], 'orders:read')).toBe(true);
    expect(grants(['orders:*'], 'orders:write')).toBe(true);
    expect(grants(['orders:*'], 'orders:*')).toBe(true);
    expect(grants(['orders:read'], 'orders:*')).toBe(false);
    expect(grants(['a:b:*'], 'a:b:c')).toBe(true);
    expect(grants(['a:*'], 'a:b:c')).toBe(false);
    expect(grants(['*'], 'orders:read')).toBe(false);
    expect(grants(['*'], 'orders:read', true)).toBe(true);
    expect(grants([], 'plain')).toBe(false);
  });

  it('gives a ["*"] key exactly the identity scopes', () => {
    expect(effectiveScopes(['*'], ['orders:read', 'reports:*'])).toEqual([
      'orders:read',
      'reports:*',
    ]);
    expect(effectiveScopes(['*'], [])).toEqual([]);
  });

  it('keeps the key scopes the identity grants, plus identity scopes a key wildcard grants', () => {
    expect(effectiveScopes(['orders:read', 'users:write'], ['orders:*', 'users:read'])).toEqual([
      'orders:read',
    ]);
    expect(
      effectiveScopes(['orders:*', 'users:read'], ['orders:read', 'orders:write', 'users:read']),
    ).toEqual(['users:read', 'orders:read', 'orders:write']);
    expect(effectiveScopes(['orders:*'], ['orders:*', 'orders:read'])).toEqual([
      'orders:*',
      'orders:read',
    ]);
    expect(effectiveScopes(['keyway:keys:read'], ['orders:read'])).toEqual([]);
  });
});
