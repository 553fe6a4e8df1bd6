import { CreateKeyRequest, UpdateKeyRequest } from './keys';
import { IdentityPathParams, PutIdentityRequest } from './identities';

describe('identity requests', () => {
  it('defaults a PUT to no scopes, no metadata and no shared limits', () => {
    expect(PutIdentityRequest.parse({})).toEqual({ scopes: [], metadata: {}, rateLimits: [] });
  });

  it.each([
    ['a keyway:* scope', { scopes: ['keyway:keys:write'] }],
    ['a scope outside the grammar', { scopes: ['has space'] }],
    ['an unknown field', { name: 'x' }],
    ['a window over 366 days', { rateLimits: [{ name: 'a', limit: 1, window: '367d' }] }],
    [
      'metadata nested 17 deep',
      { metadata: JSON.parse(`${'{"a":'.repeat(17)}1${'}'.repeat(17)}`) as object },
    ],
    [
      'two limits of one name',
      { rateLimits: [1, 2].map(() => ({ name: 'a', limit: 1, window: '1s' })) },
    ],
    [
      '21 limits',
      {
        rateLimits: Array.from({ length: 21 }, (_, i) => ({
          name: `l${i}`,
          limit: 1,
          window: '1s',
        })),
      },
    ],
  ])('refuses %s', (_what, body) => {
    expect(PutIdentityRequest.safeParse(body).success).toBe(false);
  });

  it.each(['user_2xq9', 'team:acme', 'a@b.example', 'x'])('takes the external id %s', (id) => {
    expect(IdentityPathParams.safeParse({ externalId: id }).success).toBe(true);
  });

  it.each(['mem_abc', '', '-x', 'a/b', 'a b', 'x'.repeat(129)])(
    'refuses the external id %j',
    (id) => {
      expect(IdentityPathParams.safeParse({ externalId: id }).success).toBe(false);
    },
  );
});

describe('key scopes: ["*"] inherits an identity\'s scopes', () => {
  it('takes "*" alone', () => {
    expect(CreateKeyRequest.parse({ name: 'k', scopes: ['*'] }).scopes).toEqual(['*']);
    expect(UpdateKeyRequest.parse({ scopes: ['*'] }).scopes).toEqual(['*']);
  });

  it.each([[['*', 'a:read']], [['a:read', '*']], [['*', '*']]])('refuses %j', (scopes) => {
    expect(CreateKeyRequest.safeParse({ name: 'k', scopes }).success).toBe(false);
    expect(UpdateKeyRequest.safeParse({ scopes }).success).toBe(false);
  });
});
