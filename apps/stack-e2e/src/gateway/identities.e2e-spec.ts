import { performance } from 'node:perf_hooks';
import {
  type IdentityResource,
  type KeyResource,
  type PutIdentityRequest,
} from '@keyway/contracts';
import { expectEventually } from '@keyway/platform-testing';
import { type Api, type KeyBody } from '../support/api';
import { Stack } from '../support/stack';
import { GatewayClient, issueKey } from './gateway-client';

/**
 * Identities end to end: managed at identity, enforced by the gateway. A key owned by an identity
 * does what both it and its identity grant now; a scope change reaches the gateway as fast as a
 * revocation; the identity's shared limits bind all its keys; deleting it revokes them.
 */
describe('identities, identity to gateway', () => {
  const stack = new Stack(undefined, { GATEWAY_INVALID_KEY_LIMIT: '100000' });
  let identity: Api;
  let gateway: GatewayClient;
  const externalId = 'user_2xq9';

  const putIdentity = async (body: PutIdentityRequest, status: number) => {
    const answer = await identity.request<IdentityResource>(
      'PUT',
      `/v1/identities/${externalId}`,
      body,
    );
    expect(answer.status).toBe(status);
    return answer.json;
  };
  /** Polls the gateway without spending anything until the key is known there. */
  const projected = async (key: KeyBody) => {
    await expectEventually(async () =>
      expect((await gateway.verify({ key: key.key, ratelimit: { cost: 0 } })).json.code).toBe(
        'VALID',
      ),
    );
  };
  /** How long after `change` returns the gateway first answers `code` for `key`. */
  const untilGatewaySays = async (key: string, scopes: string[], code: string) => {
    const returnedAt = performance.now();
    await expectEventually(
      async () =>
        expect((await gateway.verify({ key, scopes, ratelimit: { cost: 0 } })).json.code).toBe(
          code,
        ),
      { timeoutMs: 5_000, intervalMs: 2 },
    );
    return performance.now() - returnedAt;
  };

  beforeAll(async () => {
    await stack.start('identity', 'gateway');
    identity = stack.identityApi(stack.bootstrap().key);
    gateway = new GatewayClient(stack.service('gateway').url);
  });

  afterAll(() => stack.stop());

  it('caps, follows, shares limits with and revokes the keys of an identity', async () => {
    const created = await putIdentity(
      {
        scopes: ['orders:read', 'orders:write'],
        metadata: { plan: 'pro' },
        rateLimits: [{ name: 'default', limit: 3, window: '60s' }],
      },
      201,
    );
    expect(created.externalId).toBe(externalId);
    const inherits = await issueKey(identity, { ownerId: externalId, scopes: ['*'] });
    const narrow = await issueKey(identity, {
      ownerId: externalId,
      scopes: ['orders:read', 'users:read'],
    });
    await projected(inherits);
    await projected(narrow);

    // Capped: only what both the key and the identity grant.
    // (cost 0: checks without spending the shared window tested below)
    const check = { ratelimit: { cost: 0 } };
    const wide = await gateway.verify({ key: inherits.key, scopes: ['orders:write'], ...check });
    expect(wide.json).toMatchObject({ code: 'VALID', scopes: ['orders:read', 'orders:write'] });
    const users = await gateway.verify({ key: narrow.key, scopes: ['users:read'], ...check });
    expect(users.json.code).toBe('INSUFFICIENT_SCOPE');

    // A scope change at identity is at the gateway a fraction of a second after the PUT returns.
    await putIdentity(
      { scopes: ['orders:read'], rateLimits: [{ name: 'default', limit: 3, window: '60s' }] },
      200,
    );
    expect(
      await untilGatewaySays(inherits.key, ['orders:write'], 'INSUFFICIENT_SCOPE'),
    ).toBeLessThan(1_000);

    // The identity's window is shared by its keys, and charged with each key's own.
    const spend = (key: string) => gateway.verify({ key, scopes: ['orders:read'] });
    expect((await spend(inherits.key)).json.code).toBe('VALID');
    expect((await spend(narrow.key)).json.code).toBe('VALID');
    expect((await spend(inherits.key)).json.code).toBe('VALID');
    const limited = await spend(narrow.key);
    expect(limited.status).toBe(200);
    expect(limited.json).toMatchObject({ code: 'RATE_LIMITED', ratelimit: { limit: 3 } });

    // Deleting the identity revokes its keys at the gateway at once, and at identity.
    expect((await identity.delete(`/v1/identities/${externalId}`)).status).toBe(204);
    expect(await untilGatewaySays(inherits.key, [], 'REVOKED')).toBeLessThan(1_000);
    expect((await gateway.verify({ key: narrow.key })).json.code).toBe('REVOKED');
    for (const key of [inherits, narrow]) {
      expect((await identity.get<KeyResource>(`/v1/keys/${key.id}`)).json.status).toBe('revoked');
    }

    // The same external id again is a new identity: its old keys stay revoked, new ones work.
    await putIdentity({ scopes: ['orders:read'] }, 201);
    const fresh = await issueKey(identity, { ownerId: externalId, scopes: ['*'] });
    await projected(fresh);
    expect((await gateway.verify({ key: inherits.key })).json.code).toBe('REVOKED');
  });
});
