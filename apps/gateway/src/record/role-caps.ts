import { PLATFORM_ADMIN_SCOPE, ROLE_SCOPES, type MemberRole } from '@keyway/contracts';

/**
 * What a member-owned key may do with Keyway's own (`keyway:`) scopes, by its owner's role.
 * `keyway:platform:admin` follows the owner role (it is only ever held by the bootstrap owner's
 * key). A key whose owner's role is not known yet (`?`) or who was removed gets none.
 */
export function roleAllows(role: string, scope: string): boolean {
  if (!(role in ROLE_SCOPES)) return false;
  if (scope === PLATFORM_ADMIN_SCOPE) return role === 'owner';
  return (ROLE_SCOPES[role as MemberRole] as readonly string[]).includes(scope);
}

/** The same table as a Lua literal, for the verify script. */
export function roleCapsLua(): string {
  const roles = Object.entries(ROLE_SCOPES).map(([role, scopes]) => {
    const allowed = role === 'owner' ? [...scopes, PLATFORM_ADMIN_SCOPE] : [...scopes];
    return `['${role}'] = { ${allowed.map((scope) => `['${scope}'] = true`).join(', ')} }`;
  });
  return `{ ${roles.join(', ')} }`;
}
