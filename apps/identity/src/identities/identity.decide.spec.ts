import { WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { deciderHarness } from '../event-store/decider-harness';
import { type IdentityCommand, identityDecider, type IdentitySettings } from './identity.decide';
import { IdentityError } from './identity.errors';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-02T00:00:00.000Z');
const harness = deciderHarness(identityDecider, {
  aggregateId: 'idt_a',
  workspaceId: 'ws_a',
  now: t0,
});
const settings: IdentitySettings = {
  scopes: ['companies:read', 'reports:*'],
  metadata: { plan: 'pro' },
  rateLimits: [{ name: 'default', limit: 1000, window: '60s', windowMs: 60_000 }],
};
const create: IdentityCommand = {
  kind: 'create',
  identityId: 'idt_a',
  externalId: 'user_2xq9',
  settings,
};
const replace = (changes: Partial<IdentitySettings>): IdentityCommand => ({
  kind: 'replace',
  settings: { ...settings, ...changes },
});

describe('identity decisions (given / when / then)', () => {
  it("given nothing, when created, then an active identity of the event's workspace", () => {
    expect(harness.given().when(create)).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.identityCreated,
        data: {
          identityId: 'idt_a',
          externalId: 'user_2xq9',
          ...settings,
          createdAt: t0.toISOString(),
        },
      },
    ]);
    expect(harness.given().then(create)).toEqual({
      identityId: 'idt_a',
      workspaceId: 'ws_a',
      externalId: 'user_2xq9',
      ...settings,
      status: 'active',
      createdAt: t0.toISOString(),
      updatedAt: t0.toISOString(),
      version: 1,
    });
  });

  it('given an identity, when created again, then refused', () => {
    expect(() => harness.given([[create]]).when(create)).toThrow(IdentityError);
  });

  it('given a deleted identity, when created under its id, then refused (ids are not reused)', () => {
    expect(() => harness.given([[create], [{ kind: 'delete' }]]).when(create)).toThrow(
      /already exists/,
    );
  });

  it('given an identity, when replaced by the same settings, then nothing', () => {
    expect(harness.given([[create]]).when(replace({}))).toEqual([]);
  });

  it('given an identity, when its scopes change, then the event holds only the scopes', () => {
    const identity = harness.given([[create]]);
    const command = replace({ scopes: ['companies:read'] });
    expect(identity.when(command, t1)).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.identityUpdated,
        data: { externalId: 'user_2xq9', scopes: ['companies:read'] },
      },
    ]);
    expect(identity.then(command, t1)).toMatchObject({
      scopes: ['companies:read'],
      metadata: { plan: 'pro' },
      rateLimits: settings.rateLimits,
      createdAt: t0.toISOString(),
      updatedAt: t1.toISOString(),
      version: 2,
    });
  });

  it('given an identity, when metadata and limits change, then both and nothing else', () => {
    const command = replace({ metadata: {}, rateLimits: [] });
    expect(harness.given([[create]]).when(command)).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.identityUpdated,
        data: { externalId: 'user_2xq9', metadata: {}, rateLimits: [] },
      },
    ]);
    expect(harness.given([[create]]).then(command)).toMatchObject({
      scopes: settings.scopes,
      metadata: {},
      rateLimits: [],
    });
  });

  it('given an identity, when its scopes are reordered, then that is a change (order is kept)', () => {
    expect(
      harness.given([[create]]).when(replace({ scopes: ['reports:*', 'companies:read'] })),
    ).toHaveLength(1);
  });

  it('given an identity, when deleted, then deleted with its external id, at now', () => {
    const identity = harness.given([[create]]);
    expect(identity.when({ kind: 'delete' }, t1)).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.identityDeleted,
        data: { externalId: 'user_2xq9', deletedAt: t1.toISOString() },
      },
    ]);
    expect(identity.then({ kind: 'delete' }, t1)).toMatchObject({ status: 'deleted', version: 2 });
  });

  it('given a deleted identity, when replaced or deleted, then not found', () => {
    const deleted = harness.given([[create], [{ kind: 'delete' }]]);
    expect(() => deleted.when(replace({ scopes: [] }))).toThrow(/not found/);
    expect(() => deleted.when({ kind: 'delete' })).toThrow(/not found/);
  });

  it('given nothing, when replaced or deleted, then not found', () => {
    expect(() => harness.given().when(replace({}))).toThrow(IdentityError);
    expect(() => harness.given().when({ kind: 'delete' })).toThrow(IdentityError);
  });
});
