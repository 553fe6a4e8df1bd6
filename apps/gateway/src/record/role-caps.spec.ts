import { ROLE_SCOPES } from '@keyway/contracts';
import { roleAllows, roleCapsLua } from './role-caps';

describe('role caps', () => {
  it('allows exactly the scopes of the role, and platform admin to owners only', () => {
    expect(roleAllows('auditor', 'keyway:audit:read')).toBe(true);
    expect(roleAllows('auditor', 'keyway:keys:write')).toBe(false);
    expect(roleAllows('owner', 'keyway:platform:admin')).toBe(true);
    expect(roleAllows('admin', 'keyway:platform:admin')).toBe(false);
    expect(roleAllows('?', 'keyway:keys:read')).toBe(false);
    expect(roleAllows('removed', 'keyway:keys:read')).toBe(false);
  });

  it('renders every role and scope into the Lua table', () => {
    const lua = roleCapsLua();
    for (const [role, scopes] of Object.entries(ROLE_SCOPES)) {
      expect(lua).toContain(`['${role}']`);
      for (const scope of scopes) expect(lua).toContain(`['${scope}'] = true`);
    }
  });
});
