import { randomBytes } from 'node:crypto';
import { KEY_EVENT_TYPES, type KeyEvent } from '@keyway/contracts';

/** Builds valid key events for tests of the projection (no I/O). */
export function keyEvents(keyId = `key_${randomBytes(8).toString('hex')}`) {
  const workspaceId = 'ws_test';
  const base = {
    specversion: '1.0' as const,
    source: '/keyway/identity',
    subject: keyId,
    datacontenttype: 'application/json' as const,
    workspaceid: workspaceId,
    actor: 'system',
    time: '2026-01-01T00:00:00.000Z',
  };
  const hash = (n: number) =>
    randomBytes(32).toString('hex').slice(0, 62) + String(n).padStart(2, '0');
  const firstHash = hash(1);
  return {
    keyId,
    firstHash,
    issued: (): KeyEvent => ({
      ...base,
      id: crypto.randomUUID(),
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
      },
    }),
    updated: (sequence: number, data: { scopes?: string[]; name?: string }): KeyEvent => ({
      ...base,
      id: crypto.randomUUID(),
      type: KEY_EVENT_TYPES.updated,
      sequence,
      data,
    }),
    rotated: (sequence: number, newHash = hash(sequence)): KeyEvent => ({
      ...base,
      id: crypto.randomUUID(),
      type: KEY_EVENT_TYPES.rotated,
      sequence,
      data: {
        keyHash: newHash,
        start: 'kw_live_efgh',
        last4: 'stuv',
        previousKeyHash: firstHash,
        previousKeyExpiresAt: '2999-01-01T00:00:00.000Z',
        rotatedAt: base.time,
      },
    }),
    revoked: (sequence: number): KeyEvent => ({
      ...base,
      id: crypto.randomUUID(),
      type: KEY_EVENT_TYPES.revoked,
      sequence,
      data: { reason: 'leaked', revokedAt: base.time },
    }),
    deleted: (sequence: number): KeyEvent => ({
      ...base,
      id: crypto.randomUUID(),
      type: KEY_EVENT_TYPES.deleted,
      sequence,
      data: { deletedAt: base.time },
    }),
  };
}
