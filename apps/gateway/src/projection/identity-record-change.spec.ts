import { identityTag } from '../record/redis-keys';
import { identityEvents } from './identity-events.fixture';
import { identityRecordChange } from './identity-record-change';
import { keyEvents } from './key-events.fixture';
import { keyRecordChange } from './key-record-change';

const fields = (change: { fields: ReadonlyArray<readonly [string, string]> }) =>
  Object.fromEntries(change.fields);

describe('identityRecordChange', () => {
  it('given a created identity, then its record holds scopes, metadata and shared limits', () => {
    const events = identityEvents('user_1', 'ws_a');
    const change = identityRecordChange(
      events.created({
        scopes: ['orders:read', 'reports:*'],
        metadata: { plan: 'pro' },
        rateLimits: [{ name: 'default', limit: 1000, window: '60s', windowMs: 60_000 }],
        createdAt: '2026-02-01T00:00:00.000Z',
      }),
    );
    expect(change).toMatchObject({
      tag: identityTag('ws_a', 'user_1'),
      identityId: events.identityId,
      sequence: 1,
      kind: 'created',
      workspaceId: 'ws_a',
      externalId: 'user_1',
      atMs: Date.parse('2026-02-01T00:00:00.000Z'),
      clear: ['s:', 'rl:'],
      rateLimitNames: ['default'],
    });
    expect(fields(change)).toEqual({
      scopes: '["orders:read","reports:*"]',
      's:orders:read': '1',
      's:reports:*': '1',
      meta: '{"plan":"pro"}',
      rls: '["default"]',
      'rl:default': '1000:60000',
    });
  });

  it('given an update, then only the changed field families are replaced', () => {
    const change = identityRecordChange(identityEvents().updated(2, { scopes: ['a:b'] }));
    expect(change).toMatchObject({ kind: 'updated', sequence: 2, clear: ['s:'], atMs: 0 });
    expect(fields(change)).toEqual({ scopes: '["a:b"]', 's:a:b': '1' });
  });

  it('given a deletion, then it carries its time and no fields', () => {
    const change = identityRecordChange(identityEvents().deleted(3, '2026-03-01T00:00:00.000Z'));
    expect(change).toMatchObject({
      kind: 'deleted',
      atMs: Date.parse('2026-03-01T00:00:00.000Z'),
      fields: [],
      clear: [],
    });
  });

  it('puts a key owned by an identity under the same tag, with its creation time', () => {
    const issued = keyRecordChange(
      keyEvents('key_1', 'ws_a').issued({
        ownerId: 'user_1',
        createdAt: '2026-02-02T00:00:00.000Z',
      }),
    );
    expect(issued.tag).toBe(identityTag('ws_a', 'user_1'));
    expect(fields(issued)).toMatchObject({
      owner: 'user_1',
      cap: '',
      crt: String(Date.parse('2026-02-02T00:00:00.000Z')),
    });
    expect(issued.memberOwner).toBeNull();
    // The same external id in another workspace is another identity.
    expect(identityTag('ws_b', 'user_1')).not.toBe(issued.tag);
    expect(keyRecordChange(keyEvents().issued({ ownerId: 'mem_1' })).tag).toBeNull();
    expect(keyRecordChange(keyEvents().issued({ ownerId: null })).tag).toBeNull();
    expect(keyRecordChange(keyEvents().revoked(2)).tag).toBeUndefined();
  });
});
