import { randomBytes, randomUUID } from 'node:crypto';
import { KEY_EVENT_TYPES, type KeyEvent, type KeyIssuedV1 } from '@keyway/contracts';

const hex = () => randomBytes(32).toString('hex');

/** Valid events of one key, for tests of the projection and verification. */
export function keyEvents(
  keyId = `key_${randomBytes(8).toString('hex')}`,
  workspaceId = 'ws_test',
) {
  const base = {
    specversion: '1.0' as const,
    source: '/keyway/identity',
    subject: keyId,
    datacontenttype: 'application/json' as const,
    workspaceid: workspaceId,
    actor: 'system',
    time: '2026-01-01T00:00:00.000Z',
  };
  const firstHash = hex();
  return {
    keyId,
    workspaceId,
    firstHash,
    issued: (data: Partial<KeyIssuedV1['data']> = {}): KeyEvent => ({
      ...base,
      id: randomUUID(),
      type: KEY_EVENT_TYPES.issued,
      sequence: 1,
      data: {
        keyId,
        workspaceId,
        name: 'test',
        environment: 'live',
        keyHash: firstHash,
        start: 'kw_live_abcd',
        last4: 'wxyz',
        scopes: ['companies:read'],
        rateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
        credits: null,
        allowedCidrs: null,
        expiresAt: null,
        ownerId: null,
        metadata: {},
        createdAt: base.time,
        createdBy: 'system',
        ...data,
      },
    }),
    updated: (sequence: number, data: Record<string, unknown>): KeyEvent =>
      ({ ...base, id: randomUUID(), type: KEY_EVENT_TYPES.updated, sequence, data }) as KeyEvent,
    rotated: (
      sequence: number,
      newHash = hex(),
      previousKeyExpiresAt = '2999-01-01T00:00:00.000Z',
      previousKeyHash = firstHash,
    ): KeyEvent => ({
      ...base,
      id: randomUUID(),
      type: KEY_EVENT_TYPES.rotated,
      sequence,
      data: {
        keyHash: newHash,
        start: 'kw_live_efgh',
        last4: 'stuv',
        previousKeyHash,
        previousKeyExpiresAt,
        rotatedAt: base.time,
      },
    }),
    revoked: (sequence: number): KeyEvent => ({
      ...base,
      id: randomUUID(),
      type: KEY_EVENT_TYPES.revoked,
      sequence,
      data: { reason: 'leaked', revokedAt: base.time },
    }),
    expired: (sequence: number): KeyEvent => ({
      ...base,
      id: randomUUID(),
      type: KEY_EVENT_TYPES.expired,
      sequence,
      data: { expiredAt: base.time },
    }),
    deleted: (sequence: number): KeyEvent => ({
      ...base,
      id: randomUUID(),
      type: KEY_EVENT_TYPES.deleted,
      sequence,
      data: { deletedAt: base.time },
    }),
  };
}
