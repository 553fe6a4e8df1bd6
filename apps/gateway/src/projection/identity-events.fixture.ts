import { randomBytes, randomUUID } from 'node:crypto';
import {
  WORKSPACE_EVENT_TYPES,
  type IdentityCreatedV1,
  type IdentityDeletedV1,
  type IdentityUpdatedV1,
  type RateLimit,
} from '@keyway/contracts';

/** Valid events of one life of an identity (one `idt_…` id), for projection and verification tests. */
export function identityEvents(
  externalId = `user_${randomBytes(6).toString('hex')}`,
  workspaceId = 'ws_test',
  identityId = `idt_${randomBytes(8).toString('hex')}`,
) {
  const base = {
    specversion: '1.0' as const,
    source: '/keyway/identity',
    subject: identityId,
    datacontenttype: 'application/json' as const,
    workspaceid: workspaceId,
    actor: 'system',
    time: '2026-01-01T00:00:00.000Z',
  };
  return {
    identityId,
    externalId,
    workspaceId,
    created: (
      data: {
        scopes?: string[];
        metadata?: Record<string, string>;
        rateLimits?: RateLimit[];
        createdAt?: string;
      } = {},
    ): IdentityCreatedV1 => ({
      ...base,
      id: randomUUID(),
      type: WORKSPACE_EVENT_TYPES.identityCreated,
      sequence: 1,
      data: {
        identityId,
        externalId,
        scopes: data.scopes ?? ['orders:read'],
        metadata: data.metadata ?? {},
        rateLimits: data.rateLimits ?? [],
        createdAt: data.createdAt ?? base.time,
      },
    }),
    updated: (
      sequence: number,
      data: { scopes?: string[]; metadata?: Record<string, string>; rateLimits?: RateLimit[] },
    ): IdentityUpdatedV1 => ({
      ...base,
      id: randomUUID(),
      type: WORKSPACE_EVENT_TYPES.identityUpdated,
      sequence,
      data: { externalId, ...data },
    }),
    deleted: (sequence: number, deletedAt = base.time): IdentityDeletedV1 => ({
      ...base,
      id: randomUUID(),
      type: WORKSPACE_EVENT_TYPES.identityDeleted,
      sequence,
      data: { externalId, deletedAt },
    }),
  };
}
