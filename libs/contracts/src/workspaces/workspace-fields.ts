import { z } from 'zod';

export const WorkspaceName = z.string().min(1).max(200);

export const WorkspacePrefix = z
  .string()
  .regex(/^[a-z]{2,12}$/)
  .meta({ description: 'Prefix of the workspace keys, 2–12 lowercase letters (default `kw`).' });

export const MemberRole = z.enum(['owner', 'admin', 'member', 'auditor']);
export type MemberRole = z.infer<typeof MemberRole>;

/**
 * Who may issue keys (SPEC "Management"): `none` (default) — members use keys but cannot issue,
 * rotate or revoke them (revoking their own stays allowed); `own` — members issue and manage their
 * own keys.
 */
export const MemberKeysPolicy = z.enum(['none', 'own']);
export type MemberKeysPolicy = z.infer<typeof MemberKeysPolicy>;
