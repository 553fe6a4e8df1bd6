import { keyEvents } from './key-events.fixture';
import { projectKeyEvent } from './projected-key';

describe('projectKeyEvent', () => {
  it('given nothing, when a key is issued, then it is active with its hash and no secret', () => {
    const events = keyEvents();
    const state = projectKeyEvent(null, events.issued());
    expect(state).toMatchObject({
      keyId: events.keyId,
      keyHash: events.firstHash,
      status: 'active',
      sequence: 1,
    });
    expect(state).not.toHaveProperty('start');
    expect(state).not.toHaveProperty('last4');
  });

  it('given an active key, when it is updated, then only the changed fields change', () => {
    const events = keyEvents();
    const state = projectKeyEvent(
      projectKeyEvent(null, events.issued()),
      events.updated(2, { scopes: ['a:b'] }),
    );
    expect(state).toMatchObject({ scopes: ['a:b'], name: 'test', sequence: 2 });
  });

  it('given an active key, when it is rotated, then the new hash is current and the old one kept with its expiry', () => {
    const events = keyEvents();
    const state = projectKeyEvent(
      projectKeyEvent(null, events.issued()),
      events.rotated(2, 'f'.repeat(64)),
    );
    expect(state).toMatchObject({
      keyHash: 'f'.repeat(64),
      previousKeyHash: events.firstHash,
      previousKeyExpiresAt: '2999-01-01T00:00:00.000Z',
    });
  });

  it.each([
    ['revoked', 'revoked'],
    ['deleted', 'deleted'],
  ] as const)('given an active key, when it is %s, then its status says so', (kind, status) => {
    const events = keyEvents();
    const state = projectKeyEvent(projectKeyEvent(null, events.issued()), events[kind](2));
    expect(state?.status).toBe(status);
  });

  it('given nothing, when a later event arrives, then there is no state to change', () => {
    expect(projectKeyEvent(null, keyEvents().revoked(2))).toBeNull();
  });
});
