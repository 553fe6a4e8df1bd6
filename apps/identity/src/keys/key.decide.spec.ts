import { KEY_EVENT_TYPES } from '@keyway/contracts';
import { decideKey, evolveKey, type IssueKey, KeyRejected } from './key.decide';

const now = new Date('2026-03-01T12:00:00.000Z');
const issue: IssueKey = {
  kind: 'issue',
  data: {
    keyId: 'key_abc',
    workspaceId: 'ws_abc',
    name: 'warehouse',
    environment: 'live',
    keyHash: 'a'.repeat(64),
    start: 'kw_live_abcd',
    last4: 'wxyz',
    scopes: ['companies:read'],
    rateLimits: [],
    credits: null,
    allowedCidrs: null,
    expiresAt: null,
    ownerId: null,
    metadata: {},
    createdBy: 'system',
  },
};

describe('key decisions', () => {
  it('given no key, when issued, then one issued event stamped with now', () => {
    const events = decideKey(issue, null, now);
    expect(events).toEqual([
      {
        type: KEY_EVENT_TYPES.issued,
        data: { ...issue.data, createdAt: '2026-03-01T12:00:00.000Z' },
      },
    ]);
  });

  it('given an existing key, when issued again, then it is refused', () => {
    const state = evolveKey(
      null,
      decideKey(issue, null, now)[0] as { type: string; data: unknown },
    );
    expect(() => decideKey(issue, state, now)).toThrow(KeyRejected);
  });

  it('evolves an issued event into an active key at version 1', () => {
    const [event] = decideKey(issue, null, now);
    expect(evolveKey(null, event as { type: string; data: unknown })).toMatchObject({
      keyId: 'key_abc',
      status: 'active',
      version: 1,
      lastRotatedAt: null,
    });
  });
});
