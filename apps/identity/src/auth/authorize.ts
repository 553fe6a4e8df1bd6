import { AuthError } from './auth.errors';
import { isManagementScope, ROLE_SCOPES, type Role } from './permissions';
import { type Principal } from './principal';

/**
 * Nobody grants a management scope they do not hold. API scopes (`companies:read`) are the API
 * owner's vocabulary and any key writer may grant them.
 */
export function assertCanGrantScopes(principal: Principal, scopes: readonly string[]): void {
  const missing = scopes.filter(
    (scope) => isManagementScope(scope) && !principal.scopes.includes(scope),
  );
  if (missing.length > 0) {
    throw new AuthError('FORBIDDEN', {
      reason: 'cannot grant scopes the caller does not hold',
      scopes: missing,
    });
  }
}

/** Nobody grants a role whose scopes they do not all hold (an admin cannot make an owner). */
export function assertCanGrantRole(principal: Principal, role: Role): void {
  const missing = ROLE_SCOPES[role].filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) {
    throw new AuthError('FORBIDDEN', { reason: `cannot grant the role ${role}`, scopes: missing });
  }
}

/**
 * A caller whose role is `member` manages only its own keys; owners, admins and keys not owned
 * by a member manage every key of their workspace.
 */
export function assertCanManageKey(principal: Principal, key: { ownerId: string | null }): void {
  if (principal.role === 'member' && key.ownerId !== principal.ownerId) {
    throw new AuthError('FORBIDDEN', { reason: 'members manage only their own keys' });
  }
}
