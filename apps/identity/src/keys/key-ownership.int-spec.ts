import { type DataSource, type EntityManager } from 'typeorm';
import { openDatabase } from '@keyway/platform-database';
import { dropDatabase, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
import { IdentitiesRepository } from '../identities/identities.repository';
import { type IdentityState } from '../identities/identity.decide';
import { IDENTITY_MIGRATIONS } from '../migrations';
import { KeyOwnership, type KeyOwnershipView } from './key-ownership';
import { KeyError } from './key.errors';

/** The rules between keys and identities, against the real `identities` read model. */
describe('key ownership (real Postgres, real migrations)', () => {
  const database = uniqueName('int_identity');
  let dataSource: DataSource;
  let identities: IdentitiesRepository;
  let ownership: KeyOwnership;

  const identity = (externalId: string, overrides: Partial<IdentityState> = {}): IdentityState => ({
    identityId: `idt_${externalId.replace(/[^A-Za-z0-9]/g, '')}`,
    workspaceId: 'ws_a',
    externalId,
    scopes: ['docs:read'],
    metadata: {},
    rateLimits: [],
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  });

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: IDENTITY_MIGRATIONS,
      applicationName: 'identity-int',
    });
    identities = new IdentitiesRepository(dataSource);
    ownership = new KeyOwnership(identities);
    for (const ws of ['ws_a', 'ws_b']) {
      await dataSource.query(
        `INSERT INTO workspaces (id, name, prefix, default_rate_limits, created_at, version, resource)
         VALUES ($1, $1, 'kw', '[]', now(), 1, '{}')`,
        [ws],
      );
    }
    await dataSource.transaction(async (tx) => {
      await identities.save(tx, identity('alice'));
      await identities.save(tx, identity('gone', { status: 'deleted', version: 2 }));
      await identities.save(tx, identity('elsewhere', { workspaceId: 'ws_b' }));
    });
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(database);
  });

  const check = (next: KeyOwnershipView, current?: KeyOwnershipView & { status?: string }) =>
    dataSource.transaction((tx) => ownership.assertAllowed(tx, 'ws_a', next, current));
  const refusal = async (
    next: KeyOwnershipView,
    current?: KeyOwnershipView & { status?: string },
  ): Promise<string | null> => {
    try {
      await check(next, current);
      return null;
    } catch (error) {
      if (error instanceof KeyError) return error.code;
      throw error;
    }
  };

  it.each([
    [{ ownerId: 'alice', scopes: ['docs:read'] }, null],
    [{ ownerId: 'alice', scopes: ['*'] }, null],
    [{ ownerId: 'mem_1', scopes: ['keyway:keys:read'] }, null],
    [{ ownerId: null, scopes: ['a:b'] }, null],
    [{ ownerId: 'alice', scopes: ['keyway:keys:read'] }, 'KEY_SCOPES_NOT_ALLOWED'],
    [{ ownerId: null, scopes: ['*'] }, 'KEY_SCOPES_NOT_ALLOWED'],
    [{ ownerId: 'mem_1', scopes: ['*'] }, 'KEY_SCOPES_NOT_ALLOWED'],
    [{ ownerId: 'ghost', scopes: [] }, 'KEY_OWNER_NOT_FOUND'],
    [{ ownerId: 'gone', scopes: [] }, 'KEY_OWNER_NOT_FOUND'],
    [{ ownerId: 'elsewhere', scopes: [] }, 'KEY_OWNER_NOT_FOUND'],
  ])('issuing %j → %s', async (next, expected) => {
    expect(await refusal(next)).toBe(expected);
  });

  it.each([
    ['a rename of a key of a free-form owner (stored before identities)', 'legacy', 'legacy', null],
    [
      'a move from a free-form owner to another unknown one',
      'legacy',
      'ghost',
      'KEY_OWNER_NOT_FOUND',
    ],
    ['a move from a free-form owner to a member', 'legacy', 'mem_1', null],
    ['a move from an identity to another', 'alice', 'bob', 'KEY_OWNER_FIXED'],
    ['a move from an identity to nobody', 'alice', null, 'KEY_OWNER_FIXED'],
    ['a move from a member to an identity', 'mem_1', 'alice', 'KEY_OWNER_FIXED'],
    ['a move from nobody to an identity', null, 'alice', 'KEY_OWNER_FIXED'],
    ['a move between members', 'mem_1', 'mem_2', null],
  ])('updating: %s', async (_what, from, to, expected) => {
    expect(
      await refusal({ ownerId: to, scopes: ['a:b'] }, { ownerId: from, scopes: ['a:b'] }),
    ).toBe(expected);
  });

  it('leaves a key that is no longer active to the decision (KEY_NOT_ACTIVE)', async () => {
    const current = { ownerId: 'gone', scopes: ['*'], status: 'revoked' };
    expect(await refusal({ ownerId: 'gone', scopes: ['*'] }, current)).toBeNull();
  });

  it("holds the identity's row until commit, so a concurrent delete waits for the new key", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let checked!: () => void;
    const isChecked = new Promise<void>((resolve) => (checked = resolve));
    const issuing = dataSource.transaction(async (tx: EntityManager) => {
      await ownership.assertAllowed(tx, 'ws_a', { ownerId: 'alice', scopes: [] });
      checked();
      await held;
    });
    await isChecked;
    const deleting = dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '300ms'`);
      await tx.query(`UPDATE identities SET version = version WHERE id = 'idt_alice'`);
    });
    await expect(deleting).rejects.toThrow(/lock timeout/);
    release();
    await issuing;
  });
});
