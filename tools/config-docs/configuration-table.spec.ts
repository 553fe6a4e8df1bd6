import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@keyway/platform-testing';
import { configurationTable } from './configuration-table';
import { environmentVariables, isSecret } from './env-vars';

const root = repoRoot();
const PAGE = join(root, 'docs', 'configuration.md');

const generated = () => configurationTable(environmentVariables(root));

describe('docs/configuration.md', () => {
  it('is what the config schemas say (npm run docs:config rewrites it)', () => {
    const page = generated();
    if (process.env['KEYWAY_WRITE_DOCS'] === '1') writeFileSync(PAGE, page);
    expect(readFileSync(PAGE, 'utf8')).toBe(page);
  });

  it('lists the variables of every service with their defaults and secrets', () => {
    const vars = environmentVariables(root);
    const find = (service: string, name: string) =>
      vars.find((v) => v.service === service && v.name === name);
    expect(find('identity', 'HTTP_PORT')).toMatchObject({ defaultValue: '8081', required: 'no' });
    expect(find('gateway', 'KEYWAY_PEPPER')).toMatchObject({
      required: 'production',
      secret: true,
      defaultValue: null,
    });
    expect(find('audit', 'AUDIT_GATEWAY_URL')).toMatchObject({ accepts: 'URL', secret: false });
    expect(find('gateway', 'GATEWAY_REDIS_FAILURE_MODE')?.accepts).toBe('one of closed, open');
    expect(vars.every((v) => v.description !== '')).toBe(true);
  });

  it('calls credentials and keys secrets, and ordinary settings not', () => {
    for (const name of [
      'KEYWAY_PEPPER',
      'POSTGRES_PASSWORD',
      'GATEWAY_SESSION_KEYS',
      'REDIS_URL',
    ]) {
      expect(isSecret(name)).toBe(true);
    }
    expect(isSecret('AUDIT_SIGNING_KEY')).toBe(true);
    for (const name of [
      'KAFKA_BROKERS',
      'GATEWAY_KEY_ID_CACHE_SIZE',
      'HTTP_PORT',
      'AUDIT_SIGNING_KEY_NAME',
    ]) {
      expect(isSecret(name)).toBe(false);
    }
  });
});
