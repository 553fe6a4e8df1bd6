import { AuthError } from './auth.errors';
import {
  assertCanAssignOwner,
  assertCanGrantRole,
  assertCanGrantScopes,
  assertCanManageKey,
  assertCanManageKeyOf,
  assertEnvironment,
  assertLiveKey,
  assertManagementKeyOwned,
  assertMemberKeysAllowed,
  isOwnKey,
} from './authorize';
import { ROLE_SCOPES } from '@keyway/contracts';
import { type Principal } from './principal';

const principal = (
  role: Principal['role'],
  scopes: readonly string[] = role ? ROLE_SCOPES[role] : [],
): Principal => ({
  keyId: 'key_caller',
  keyHash: 'a'.repeat(64),
  workspaceId: 'ws_a',
  environment: 'live',
  scopes,
  ownerId: role ? 'mem_caller' : null,
  role,
});
const forbidden = (call: () => void) => expect(call).toThrow(AuthError);

describe('authorization rules', () => {
  it('grants management scopes only to holders, never platform admin, and API scopes freely', () => {
    expect(() =>
      assertCanGrantScopes(principal('admin'), ['keyway:keys:read', 'orders:write']),
    ).not.toThrow();
    forbidden(() => assertCanGrantScopes(principal('admin'), ['keyway:workspace:admin']));
    forbidden(() =>
      assertCanGrantScopes(principal('owner', [...ROLE_SCOPES.owner, 'keyway:platform:admin']), [
        'keyway:platform:admin',
      ]),
    );
    expect(() => assertCanGrantScopes(principal('auditor'), ['anything:at-all'])).not.toThrow();
  });

  it.each([
    ['owner', 'owner', true],
    ['owner', 'admin', true],
    ['admin', 'owner', false],
    ['admin', 'admin', true],
    ['admin', 'auditor', true],
    ['member', 'admin', false],
    ['auditor', 'member', false],
    // (Granting any role also needs keyway:members:write, checked by the route's scope guard.)
  ] as const)('a %s granting %s: %s', (caller, role, allowed) => {
    const call = () => assertCanGrantRole(principal(caller), role);
    if (allowed) expect(call).not.toThrow();
    else forbidden(call);
  });

  it('lets nobody act on a key stronger than themselves, and members only on their own', () => {
    const ownerKey = { ownerId: 'mem_owner', scopes: [...ROLE_SCOPES.owner] };
    forbidden(() => assertCanManageKey(principal('admin'), ownerKey));
    expect(() => assertCanManageKey(principal('owner'), ownerKey)).not.toThrow();
    expect(() =>
      assertCanManageKey(principal('admin'), { ownerId: null, scopes: ['orders:read'] }),
    ).not.toThrow();
    forbidden(() => assertCanManageKey(principal('member'), { ownerId: 'mem_other', scopes: [] }));
    expect(() =>
      assertCanManageKey(principal('member'), {
        ownerId: 'mem_caller',
        scopes: ['keyway:keys:read'],
      }),
    ).not.toThrow();
  });

  it("keeps a member's management keys owned by a member", () => {
    const admin = principal('admin');
    for (const ownerId of [null, 'ext-ci']) {
      forbidden(() => assertManagementKeyOwned(admin, { ownerId, scopes: ['keyway:keys:read'] }));
    }
    expect(() =>
      assertManagementKeyOwned(admin, { ownerId: 'mem_x', scopes: ['keyway:keys:read'] }),
    ).not.toThrow();
    expect(() =>
      assertManagementKeyOwned(admin, { ownerId: null, scopes: ['orders:read'] }),
    ).not.toThrow();
    // A key not owned by a member (a service key) is not bound by this rule.
    expect(() =>
      assertManagementKeyOwned(principal(null, ['keyway:keys:read']), {
        ownerId: null,
        scopes: ['keyway:keys:read'],
      }),
    ).not.toThrow();
  });

  it.each([
    ['owner', 'owner', true],
    ['admin', 'owner', false],
    ['admin', 'admin', true],
    ['admin', 'member', true],
    ['member', 'auditor', false],
  ] as const)('a %s giving a key to, or managing a key of, a %s: %s', (caller, role, allowed) => {
    for (const rule of [assertCanAssignOwner, assertCanManageKeyOf]) {
      const call = () => rule(principal(caller), { memberId: 'mem_other', role });
      if (allowed) expect(call).not.toThrow();
      else forbidden(call);
      // Its own keys are always its own, whatever its key's scopes.
      expect(() =>
        rule(principal(caller, []), { memberId: 'mem_caller', role: caller }),
      ).not.toThrow();
    }
  });

  it('keeps test keys to test keys', () => {
    const testKey = { ...principal('owner'), environment: 'test' as const };
    expect(() => assertEnvironment(testKey, 'test')).not.toThrow();
    forbidden(() => assertEnvironment(testKey, 'live'));
    expect(() => assertEnvironment(principal('owner'), 'test')).not.toThrow();
    // Members, identities and the workspace, on which live keys depend, need a live key.
    forbidden(() => assertLiveKey(testKey));
    expect(() => assertLiveKey(principal('owner'))).not.toThrow();
  });

  it('lets members manage keys only where the workspace policy allows, others always', () => {
    forbidden(() => assertMemberKeysAllowed(principal('member'), 'none'));
    expect(() => assertMemberKeysAllowed(principal('member'), 'own')).not.toThrow();
    expect(() => assertMemberKeysAllowed(principal('admin'), 'none')).not.toThrow();
  });

  it("knows a caller's own keys: itself, or its member's; not its external owner's others", () => {
    expect(isOwnKey(principal('member'), { keyId: 'key_caller', ownerId: null })).toBe(true);
    expect(isOwnKey(principal('member'), { keyId: 'key_b', ownerId: 'mem_caller' })).toBe(true);
    expect(isOwnKey(principal('member'), { keyId: 'key_b', ownerId: 'mem_other' })).toBe(false);
    const external = { ...principal(null), ownerId: 'user_1' };
    expect(isOwnKey(external, { keyId: 'key_b', ownerId: 'user_1' })).toBe(false);
  });
});
