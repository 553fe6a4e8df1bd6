import {
  AlertList,
  KeyActivityResponse,
  KeyUsageResponse,
  type KeyWithSecret,
  type VerifyKeyRequest,
} from '@keyway/contracts';
import { expectEventually } from '@keyway/platform-testing';
import { Api } from '../support/api';
import { type BootstrapResult, Stack } from '../support/stack';

/**
 * Usage end to end: verifications at the gateway become its usage events on Kafka, which audit
 * records (usage, activity) and judges (alerts) in the same transaction.
 */
describe('audit usage from the gateway', () => {
  const stack = new Stack(undefined, { GATEWAY_USAGE_FLUSH_MS: '100' });
  let owner: BootstrapResult;
  let audit: Api;
  let gateway: Api;
  let key: KeyWithSecret;

  beforeAll(async () => {
    await stack.start('identity', 'gateway', 'audit');
    owner = stack.bootstrap();
    key = (await stack.identityApi(owner.key).post<KeyWithSecret>('/v1/keys', { name: 'flow' }))
      .json;
    audit = new Api(stack.service('audit').url, owner.key);
    gateway = new Api(stack.service('gateway').url);
    await expectEventually(
      async () =>
        expect(
          (await gateway.post('/v1/verify', { key: key.key } satisfies VerifyKeyRequest)).json,
        ).toMatchObject({ code: 'VALID' }),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  afterAll(() => stack.stop());

  it('counts verifications by outcome and knows when and from where the key was used', async () => {
    await gateway.post('/v1/verify', { key: key.key } satisfies VerifyKeyRequest);
    const denied = await gateway.post('/v1/verify', {
      key: key.key,
      scopes: ['orders:write'],
    } satisfies VerifyKeyRequest);
    expect(denied.json).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
    await expectEventually(
      async () => {
        const activity = await audit.get<KeyActivityResponse>(`/v1/keys/${key.id}/activity`);
        expect(activity.status).toBe(200);
        const body = KeyActivityResponse.parse(activity.json);
        expect(body.totals).toMatchObject({ VALID: 2, INSUFFICIENT_SCOPE: 1 });
        expect(body.lastUsedAt).not.toBeNull();
        expect(body.addresses.data.map((entry) => entry.address)).toEqual(['127.0.0.1']);
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    const usage = await audit.get<KeyUsageResponse>(`/v1/keys/${key.id}/usage?granularity=day`);
    expect(KeyUsageResponse.parse(usage.json).totals).toMatchObject({
      VALID: 2,
      INSUFFICIENT_SCOPE: 1,
    });
  });

  it('raises an alert when a revoked key is still tried', async () => {
    const revoked = await stack.identityApi(owner.key).post(`/v1/keys/${key.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    await expectEventually(
      async () =>
        expect(
          (await gateway.post('/v1/verify', { key: key.key } satisfies VerifyKeyRequest)).json,
        ).toMatchObject({ code: 'REVOKED' }),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await expectEventually(
      async () => {
        const alerts = await audit.get<AlertList>(`/v1/alerts?keyId=${key.id}`);
        expect(alerts.status).toBe(200);
        expect(AlertList.parse(alerts.json).data).toEqual([
          expect.objectContaining({ kind: 'revoked-key-used', keyId: key.id, status: 'open' }),
        ]);
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
  });
});
