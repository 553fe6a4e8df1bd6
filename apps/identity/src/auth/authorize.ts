import { AuthError } from './auth.errors';
import {
  isManagementScope,
  type MemberKeysPolicy,
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
 * A key with `keyway:*` scopes given out by a member's key belongs to a member, whose current role
 * caps it: an ownerless or externally owned one would outlive the issuer's role and membership.
 * Which member is `assertCanAssignOwner`'s rule.
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

/**
 * A caller gives a key to a member (on issue, or by changing `ownerId`) only if it could act on
 * that member: it holds every scope of the member's role, so never to someone of a higher role
 * (an admin cannot make a key the owner's, where it would keep working with the owner's rights
 * after the admin is demoted or removed, attributed to the owner). Its own keys are its own.
 */
export function assertCanAssignOwner(
  principal: Principal,
  owner: { memberId: string; role: MemberRole },
): void {
  assertCanActOnMember(
    principal,
    owner,
    `cannot give a key to a member with the role ${owner.role}`,
  );
}

/**
 * A caller changes, rotates or deletes another member's key only if it could act on that member
 * (holds every scope of its role): an admin cannot widen the owner's key, rotate it to learn its
 * secret, and so keep the owner's rights after it is demoted or removed. (Revoking is judged on
 * what the key may do now: `RevokeKey`.)
 */
export function assertCanManageKeyOf(
  principal: Principal,
  owner: { memberId: string; role: MemberRole },
): void {
  assertCanActOnMember(
    principal,
    owner,
    `cannot manage a key of a member with the role ${owner.role}`,
  );
}

function assertCanActOnMember(
  principal: Principal,
  owner: { memberId: string; role: MemberRole },
  reason: string,
): void {
  if (owner.memberId === principal.ownerId) return;
  const missing = ROLE_SCOPES[owner.role].filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) throw AuthError.forbidden({ reason, scopes: missing });
}

/** A `test` key manages test keys only: it may not issue, see the secret of or change a live one. */
export function assertEnvironment(principal: Principal, environment: string): void {
  if (principal.environment === 'test' && environment !== 'test') {
    throw AuthError.forbidden({ reason: 'a test key manages test keys only' });
  }
}

/**
 * A `test` key manages test keys only, so it changes nothing live keys depend on: not a member
 * (whose role caps its live keys, and whose removal revokes them), not an identity (whose scopes
 * cap its live keys, and whose deletion revokes them), not the workspace's settings.
 */
export function assertLiveKey(principal: Principal): void {
  if (principal.environment === 'test') {
    throw AuthError.forbidden({
      reason:
        'a test key manages test keys only: members, identities and the workspace need a live key',
    });
  }
}

/**
 * The workspace key policy: with `memberKeys: none` a member's key reads keys but does not issue,
 * change, rotate, delete or revoke them (revoking its own is allowed: `isOwnKey`).
 */
export function assertMemberKeysAllowed(principal: Principal, policy: MemberKeysPolicy): void {
  if (principal.role === 'member' && policy === 'none') {
    throw AuthError.forbidden({
      reason: 'members of this workspace use keys but do not manage them (memberKeys: none)',
    });
  }
}

/**
 * Whether the key is the caller's own: the calling key itself, or a key of the member the caller
 * belongs to. Anyone may revoke their own key. (Keys of the same external owner are not each
 * other's: one leaked key must not be able to revoke its siblings.)
 */
export function isOwnKey(
  principal: Principal,
  key: { keyId: string; ownerId: string | null },
): boolean {
  return (
    key.keyId === principal.keyId ||
    (principal.role !== null && key.ownerId !== null && key.ownerId === principal.ownerId)
  );
}
