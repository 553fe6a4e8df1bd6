import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@keyway/platform-testing';
import { Stack } from './support/stack';

/** The operator CLI (`npm run keyway -- …`) against a running identity. */
describe('keyway CLI', () => {
  const stack = new Stack();

  beforeAll(() => stack.start('identity'));
  afterAll(() => stack.stop());

  function keyway(args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(
      process.execPath,
      [join(repoRoot(), 'dist/apps/cli/src/main.js'), ...args],
      {
        env: {
          ...process.env,
          ...stack.env('identity-command'),
          KEYWAY_URL: stack.service('identity').url,
          ...env,
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('explains itself', () => {
    const help = keyway(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['bootstrap', 'migrate', 'keys', 'projections'])
      expect(help.stdout).toContain(command);
    expect(keyway(['keys', '--help']).stdout).toMatch(/create[\s\S]*list[\s\S]*revoke/);
  });

  it('bootstraps once, then creates, lists and revokes keys, and rebuilds projections', () => {
    const boot = keyway(['bootstrap', '--workspace', 'cli', '--json']);
    expect(boot.status).toBe(0);
    const { key, workspaceId, memberId } = JSON.parse(boot.stdout) as Record<string, string>;
    expect(key).toMatch(/^kw_live_/);
    expect(workspaceId).toMatch(/^ws_/);
    expect(memberId).toMatch(/^mem_/);
    const again = keyway(['bootstrap', '--workspace', 'cli']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already bootstrapped');

    const as = { KEYWAY_KEY: key ?? '' };
    const created = keyway(
      [
        'keys',
        'create',
        '--name',
        'from-cli',
        '--scopes',
        'a:read,b:write',
        '--expires',
        '30d',
        '--json',
      ],
      as,
    );
    expect(created.status).toBe(0);
    const createdKey = JSON.parse(created.stdout) as { id: string; scopes: string[]; key: string };
    expect(createdKey.scopes).toEqual(['a:read', 'b:write']);

    const listed = keyway(['keys', 'list', '--json'], as);
    expect(
      (JSON.parse(listed.stdout) as { data: { id: string }[] }).data.map((k) => k.id),
    ).toContain(createdKey.id);

    const revoked = keyway(['keys', 'revoke', createdKey.id, '--reason', 'cli test', '--json'], as);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id: createdKey.id, status: 'revoked' });
    expect(keyway(['keys', 'list', '--status', 'revoked'], as).stdout).toContain(createdKey.id);

    const rebuilt = keyway(['projections', 'rebuild']);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toMatch(/rebuilt from \d+ events/);
    expect(JSON.parse(keyway(['keys', 'list', '--json'], as).stdout).data).toHaveLength(2);
  });

  it('fails clearly without a key or with a bad one', () => {
    const missing = keyway(['keys', 'list'], { KEYWAY_KEY: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no API key');
    const bad = keyway(['keys', 'list'], { KEYWAY_KEY: 'kw_live_nope' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('401 UNAUTHENTICATED');
  });
});
