import { z } from 'zod';

// Ids are a type prefix and 1–64 base62 characters (ULID, nanoid or hex UUID without dashes).
export const KeyId = z
  .string()
  .regex(/^key_[0-9A-Za-z]{1,64}$/)
  .meta({ description: 'Key id, `key_…`.' });

export const WorkspaceId = z
  .string()
  .regex(/^ws_[0-9A-Za-z]{1,64}$/)
  .meta({ description: 'Workspace id, `ws_…`.' });

export const MemberId = z
  .string()
  .regex(/^mem_[0-9A-Za-z]{1,64}$/)
  .meta({ description: 'Member id, `mem_…`.' });

export const IdentityId = z
  .string()
  .regex(/^idt_[0-9A-Za-z]{1,64}$/)
  .meta({
    description: 'Identity id, `idt_…`: one life of an external owner (a new one after a delete).',
  });

export const IsoTimestamp = z.iso
  .datetime()
  .meta({ description: 'ISO-8601 timestamp in UTC (`Z`), e.g. `2025-01-31T09:15:00.000Z`.' });

export const KeyHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .meta({ description: 'HMAC-SHA256(pepper, key) as lowercase hex. Never the key itself.' });

export const Actor = z
  .string()
  .regex(/^(?:member:mem_[0-9A-Za-z]{1,64}|key:key_[0-9A-Za-z]{1,64}|system)$/)
  .meta({ description: 'Who caused the change: `member:mem_…`, `key:key_…` or `system`.' });

export const IpAddress = z.union([z.ipv4(), z.ipv6()]);

export type KeyId = z.infer<typeof KeyId>;
export type WorkspaceId = z.infer<typeof WorkspaceId>;
export type MemberId = z.infer<typeof MemberId>;
export type IdentityId = z.infer<typeof IdentityId>;
export type IsoTimestamp = z.infer<typeof IsoTimestamp>;
export type KeyHash = z.infer<typeof KeyHash>;
export type Actor = z.infer<typeof Actor>;
