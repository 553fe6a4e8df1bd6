/** Scopes of the management API. */
export const MANAGEMENT_SCOPES = [
  'keyway:keys:read',
  'keyway:keys:write',
  'keyway:members:write',
  'keyway:audit:read',
  'keyway:workspace:admin',
  'keyway:platform:admin',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

export const PLATFORM_ADMIN = 'keyway:platform:admin';

export const ROLES = ['owner', 'admin', 'member', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The most each role may do (docs/api/permissions.md); a key issued to a member never does more,
 * whatever scopes it carries. `keyway:platform:admin` belongs to no role: the bootstrap key holds
 * it, and only a holder can grant it.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly ManagementScope[]>> = {
  owner: [
    'keyway:keys:read',
    'keyway:keys:write',
    'keyway:members:write',
    'keyway:audit:read',
    'keyway:workspace:admin',
  ],
  admin: ['keyway:keys:read', 'keyway:keys:write', 'keyway:members:write', 'keyway:audit:read'],
  member: ['keyway:keys:read', 'keyway:keys:write'],
  auditor: ['keyway:keys:read', 'keyway:audit:read'],
};

export const isManagementScope = (scope: string): boolean => scope.startsWith('keyway:');
