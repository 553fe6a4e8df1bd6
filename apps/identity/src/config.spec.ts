import { ConfigError, parseEnv } from '@keyway/platform-config';
import { identityConfig, identityEnvSchema, resolvePepper } from './config';

describe('identity config', () => {
  it('refuses to start in production without a pepper, naming the variable', () => {
    expect(() => parseEnv(identityEnvSchema, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => parseEnv(identityEnvSchema, { NODE_ENV: 'production' })).toThrow(/KEYWAY_PEPPER/);
  });

  it('refuses a short pepper without echoing it', () => {
    const weak = 'too-short-pepper';
    let message = '';
    try {
      parseEnv(identityEnvSchema, { NODE_ENV: 'production', KEYWAY_PEPPER: weak });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('KEYWAY_PEPPER');
    expect(message).not.toContain(weak);
  });

  it('uses the configured pepper, and outside production a public development one', () => {
    const pepper = 'p'.repeat(40);
    const production = identityConfig(
      parseEnv(identityEnvSchema, { NODE_ENV: 'production', KEYWAY_PEPPER: pepper }),
    );
    expect(resolvePepper(production)).toEqual({ pepper, development: false });
    expect(resolvePepper(identityConfig(parseEnv(identityEnvSchema, {})))).toMatchObject({
      development: true,
    });
  });

  it('limits failed authentications per client address, configurably, refusing nonsense', () => {
    expect(identityConfig(parseEnv(identityEnvSchema, {})).invalidKeys).toEqual({
      limit: 50,
      windowMs: 60_000,
    });
    expect(
      identityConfig(
        parseEnv(identityEnvSchema, { INVALID_KEY_LIMIT: '5', INVALID_KEY_WINDOW_S: '10' }),
      ).invalidKeys,
    ).toEqual({ limit: 5, windowMs: 10_000 });
    expect(() => parseEnv(identityEnvSchema, { INVALID_KEY_LIMIT: '0' })).toThrow(
      /INVALID_KEY_LIMIT/,
    );
    expect(() => parseEnv(identityEnvSchema, { INVALID_KEY_WINDOW_S: 'soon' })).toThrow(
      /INVALID_KEY_WINDOW_S/,
    );
  });

  it('announces expiring keys 7 days ahead by default, or as configured, or not at all', () => {
    const lead = (value?: string) =>
      identityConfig(
        parseEnv(identityEnvSchema, value === undefined ? {} : { KEY_EXPIRING_LEAD_TIME: value }),
      ).expiry.expiringLeadTimeMs;
    expect(lead()).toBe(7 * 86_400_000);
    expect(lead('36h')).toBe(36 * 3_600_000);
    expect(lead('2s')).toBe(2_000);
    expect(lead('0')).toBeNull();
    expect(lead('0s')).toBeNull();
    expect(lead('off')).toBeNull();
    expect(() => lead('7 days')).toThrow(/KEY_EXPIRING_LEAD_TIME/);
    expect(() => lead('-1d')).toThrow(ConfigError);
  });

  it('believes X-Forwarded-For from nobody, the one proxy in front, or the listed proxies', () => {
    const trust = (value?: string) =>
      identityConfig(parseEnv(identityEnvSchema, value === undefined ? {} : { TRUST_PROXY: value }))
        .http.trustProxy;
    expect(trust()).toBe(false);
    expect(trust('false')).toBe(false);
    // One hop, never "every hop": that would believe whatever a client wrote first.
    expect(trust('true')).toBe(1);
    expect(trust('10.0.0.0/8, 192.0.2.7,::1')).toBe('10.0.0.0/8,192.0.2.7,::1');
    expect(() => trust('yes')).toThrow(/TRUST_PROXY/);
    expect(() => trust('10.0.0.0/8,')).toThrow(ConfigError);
  });
});
