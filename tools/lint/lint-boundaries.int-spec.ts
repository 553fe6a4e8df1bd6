import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '@keyway/platform-testing';

const NOT_COPIED = /^(node_modules|dist|coverage|bench|docs|tmp|\.nx|\.kafka|\.git)(\/|$)/;

/**
 * `npm test`'s lint step (scripts/lint.sh) fails on a forbidden import in a fresh copy of the
 * repository, which has no .nx/ cache: the module-boundary rule really runs.
 */
describe('lint enforces the boundaries on a fresh clone', () => {
  const root = repoRoot();
  const copy = mkdtempSync(join(tmpdir(), 'keyway-lint-'));

  beforeAll(() => {
    cpSync(root, copy, {
      recursive: true,
      filter: (source) => !NOT_COPIED.test(relative(root, source)),
    });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  });

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const plant = (path: string, source: string) => {
    writeFileSync(join(copy, path), source);
    return path;
  };

  it('fails on a library importing a kind it may not, an app importing an app, and a folder cycle', () => {
    const planted = [
      // type:contracts imports only contracts, not a database client (type:data-access).
      plant(
        'libs/contracts/src/planted.ts',
        "import { openDatabase } from '@keyway/platform-database';\n\nexport const planted = openDatabase;\n",
      ),
      // Apps never import apps.
      plant(
        'apps/gateway/src/planted.ts',
        "import { Clock } from '../../identity/src/clock';\n\nexport const planted = Clock;\n",
      ),
      // identity's folders run one way: members/ is below keys/.
      plant(
        'apps/identity/src/members/planted.ts',
        "import { KeysRepository } from '../keys/keys.repository';\n\nexport const planted = KeysRepository;\n",
      ),
    ];
    const lint = spawnSync('bash', ['scripts/lint.sh', '--format', 'json', ...planted], {
      cwd: copy,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    expect(lint.stderr).not.toContain('No cached ProjectGraph');
    expect(lint.status).toBe(1);
    const results = JSON.parse(lint.stdout) as {
      filePath: string;
      messages: { ruleId: string | null }[];
    }[];
    const rulesBroken = Object.fromEntries(
      results.map((result) => [
        relative(copy, result.filePath),
        result.messages.map((message) => message.ruleId),
      ]),
    );
    expect(rulesBroken).toEqual({
      'libs/contracts/src/planted.ts': ['@nx/enforce-module-boundaries'],
      'apps/gateway/src/planted.ts': ['@nx/enforce-module-boundaries'],
      'apps/identity/src/members/planted.ts': ['no-restricted-imports'],
    });
  });
});
