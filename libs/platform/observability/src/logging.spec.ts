import { redactKeysInPath } from './logging';

describe('request paths in logs', () => {
  it('blank anything shaped like a key, whole or cut short, and nothing else', () => {
    const key = `kw_live_${'A1b2'.repeat(9)}`;
    expect(redactKeysInPath(`/v1/keys/${key}/revoke`)).toBe('/v1/keys/[redacted]/revoke');
    expect(redactKeysInPath(`/v1/identities/acme_test_12345678`)).toBe('/v1/identities/[redacted]');
    expect(redactKeysInPath(`/a/${key}/b/${key}`)).toBe('/a/[redacted]/b/[redacted]');
    expect(redactKeysInPath('/v1/keys/key_0VboKIsuEm4gTrHsCnEdOj')).toBe(
      '/v1/keys/key_0VboKIsuEm4gTrHsCnEdOj',
    );
    expect(redactKeysInPath('/v1/identities/user_2xq9')).toBe('/v1/identities/user_2xq9');
  });
});
