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

export type Role = 'owner' | 'admin' | 'member' | 'auditor';

/**
 * The most each role may do; a key issued to a member never does more, whatever scopes it carries.
 * `keyway:platform:admin` belongs to no role: only the bootstrap key holds it.
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
