import { type MemberRole } from '../workspaces/workspace-fields';

/** Scopes of the management API; every one starts with `keyway:`. */
export const MANAGEMENT_SCOPES = [
  'keyway:keys:read',
  'keyway:keys:write',
  'keyway:members:write',
  'keyway:identities:write',
  'keyway:audit:read',
  'keyway:audit:write',
  'keyway:workspace:admin',
  'keyway:platform:admin',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

export const PLATFORM_ADMIN_SCOPE = 'keyway:platform:admin';

/**
 * The most each role may do (docs/api/permissions.md); a key issued to a member never does more,
 * whatever scopes it carries. `keyway:platform:admin` belongs to no role: the bootstrap key holds
 * it, and only a holder can grant it.
 */
export const ROLE_SCOPES: Readonly<Record<MemberRole, readonly ManagementScope[]>> = {
  owner: [
    'keyway:keys:read',
    'keyway:keys:write',
    'keyway:members:write',
    'keyway:identities:write',
    'keyway:audit:read',
    'keyway:audit:write',
    'keyway:workspace:admin',
  ],
  admin: [
    'keyway:keys:read',
    'keyway:keys:write',
    'keyway:members:write',
    'keyway:identities:write',
    'keyway:audit:read',
    'keyway:audit:write',
  ],
  member: ['keyway:keys:read', 'keyway:keys:write'],
  auditor: ['keyway:keys:read', 'keyway:audit:read', 'keyway:audit:write'],
};

/** Management scopes are Keyway's own; every other scope belongs to the API owner. */
export const isManagementScope = (scope: string): boolean => scope.startsWith('keyway:');
