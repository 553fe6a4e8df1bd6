import { AuthError } from './auth.errors';
import {
  isManagementScope,
  type MemberRole,
  PLATFORM_ADMIN_SCOPE,
  ROLE_SCOPES,
} from '@keyway/contracts';
import { type Principal } from './principal';

/**
 * What a member's key may do now: the scopes it carries that the member's current role allows.
 * `keyway:platform:admin` belongs to no role; the bootstrap key keeps it while its member is an
 * owner.
 */
export function scopesWithinRole(scopes: readonly string[], role: MemberRole): string[] {
  const allowed = new Set<string>(ROLE_SCOPES[role]);
  return scopes.filter(
    (scope) => allowed.has(scope) || (scope === PLATFORM_ADMIN_SCOPE && role === 'owner'),
  );
}

/**
 * Nobody grants a management scope they do not hold, and `keyway:platform:admin` is never granted
 * through the API (the bootstrap key holds it). API scopes (`companies:read`) are the API owner's
 * vocabulary and any key writer may grant them.
 */
export function assertCanGrantScopes(principal: Principal, scopes: readonly string[]): void {
  const missing = scopes.filter(
    (scope) =>
      isManagementScope(scope) &&
      (scope === PLATFORM_ADMIN_SCOPE || !principal.scopes.includes(scope)),
  );
  if (missing.length > 0) {
    throw AuthError.forbidden({
      reason: 'cannot grant scopes the caller does not hold',
      scopes: missing,
    });
  }
}

/** Nobody grants a role whose scopes they do not all hold (an admin cannot make an owner). */
export function assertCanGrantRole(principal: Principal, role: MemberRole): void {
  const missing = ROLE_SCOPES[role].filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) {
    throw AuthError.forbidden({ reason: `cannot grant the role ${role}`, scopes: missing });
  }
}

/**
 * Nobody acts on a key stronger than themselves: the caller must hold every management scope the
 * key carries (an admin cannot rotate the owner's key and read its new secret). A caller whose
 * role is `member` manages only its own keys.
 */
export function assertCanManageKey(
  principal: Principal,
  key: { ownerId: string | null; scopes: readonly string[] },
): void {
  if (principal.role === 'member' && key.ownerId !== principal.ownerId) {
    throw AuthError.forbidden({ reason: 'members manage only their own keys' });
  }
  const stronger = key.scopes.filter(
    (scope) => isManagementScope(scope) && !principal.scopes.includes(scope),
  );
  if (stronger.length > 0) {
    throw AuthError.forbidden({
      reason: 'the key holds scopes the caller does not',
      scopes: stronger,
    });
  }
}

/**
 * A key with management scopes issued by a member's key must belong to a member: an ownerless one
 * would outlive the member's role and membership.
 */
export function assertManagementKeyOwned(
  principal: Principal,
  key: { ownerId: string | null; scopes: readonly string[] },
): void {
  if (principal.role === null || !key.scopes.some(isManagementScope)) return;
  if (!key.ownerId?.startsWith('mem_')) {
    throw AuthError.forbidden({
      reason: 'a key with keyway:* scopes issued by a member must be owned by a member',
    });
  }
}
