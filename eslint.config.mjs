import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const testFiles = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'];

// Which kinds and scopes of project may import which (every project.json has one scope:* and one
// type:* tag; docs/development.md). Apps never import apps. Tests may also import type:testing.
//   type:app          a deployable (identity, gateway, audit, cli)
//   type:feature      Nest modules with routes of their own (observability: health, metrics)
//   type:data-access  clients of our infrastructure (database, kafka, redis)
//   type:util         pure code and config parsing (key-material, config)
//   type:contracts    event and HTTP contracts: zod schemas, nothing of ours below them
//   type:testing      the test harness; type:e2e the end-to-end suites
const withTesting = (allowTesting, tags) => tags.concat(allowTesting ? ['type:testing'] : []);
const depConstraints = (allowTesting) => [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: withTesting(allowTesting, [
      'type:feature',
      'type:data-access',
      'type:contracts',
      'type:util',
    ]),
  },
  {
    sourceTag: 'type:feature',
    onlyDependOnLibsWithTags: withTesting(allowTesting, [
      'type:data-access',
      'type:contracts',
      'type:util',
    ]),
  },
  {
    sourceTag: 'type:data-access',
    onlyDependOnLibsWithTags: withTesting(allowTesting, ['type:contracts', 'type:util']),
  },
  {
    sourceTag: 'type:util',
    onlyDependOnLibsWithTags: withTesting(allowTesting, ['type:contracts', 'type:util']),
  },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'],
  },
  // End-to-end suites drive the built services as processes: they import no app.
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared'] },
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
  { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
  // The CLI talks to the services over HTTP or runs their own commands: contracts and utils only.
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: withTesting(allowTesting, ['type:contracts', 'type:util']),
  },
];

const LIBRARY_BY_NAME = {
  group: ['../../*/libs/*', '**/libs/**'],
  message: 'Import a library by its @keyway/* name.',
};

// Each app's folders, lowest first: a folder imports only folders before it, so the graph runs
// one way (docs/architecture.md). Tests may reach further up to build their fixtures. Root files
// (config, errors…) are below every folder; the composition files (module, main, command,
// openapi) compose them and sit above.
function folderLayering(app, folders, composition, rootMayImport = []) {
  const order = folders.join(' → ');
  return [
    ...folders.map((folder, index) => ({
      files: [`apps/${app}/src/${folder}/**/*.ts`],
      ignores: testFiles,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              LIBRARY_BY_NAME,
              {
                group: [
                  ...folders
                    .slice(index + 1)
                    .flatMap((name) => [`../${name}/*`, `../../${name}/*`]),
                  ...composition.flatMap((name) => [`../${name}`, `../../${name}`]),
                ],
                message: `${app}'s folders depend one way (${order}): ${folder}/ imports only folders before it.`,
              },
            ],
          },
        ],
      },
    })),
    {
      files: [`apps/${app}/src/*.ts`],
      ignores: [...testFiles, ...composition.map((name) => `apps/${app}/src/${name}.ts`)],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              LIBRARY_BY_NAME,
              {
                group: [
                  ...folders
                    .filter((name) => !rootMayImport.includes(name))
                    .map((name) => `./${name}/*`),
                  ...composition.map((name) => `./${name}`),
                ],
                message: `${app}'s root files (config, errors…) are below every folder.`,
              },
            ],
          },
        ],
      },
    },
  ];
}

const identityLayering = folderLayering(
  'identity',
  [
    'migrations',
    'outbox',
    'event-store',
    'auth',
    'http',
    'idempotency',
    'workspaces',
    'members',
    'identities',
    'keys',
    'tenancy',
    'projections',
    'errors',
  ],
  ['identity.module', 'command', 'main', 'openapi', 'openapi-export'],
  ['migrations'],
);

const gatewayLayering = folderLayering(
  'gateway',
  ['record', 'projection', 'sessions', 'verification', 'usage', 'abuse', 'forward-auth', 'http'],
  ['gateway.module', 'command', 'main', 'openapi', 'openapi-export'],
);

const boundaries = (allowTesting) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: [],
      depConstraints: depConstraints(allowTesting),
    },
  ],
});

export default [
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/coverage',
      '.kafka',
      '.nx',
      'docs',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      ...boundaries(false),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: [LIBRARY_BY_NAME] }],
    },
  },
  ...identityLayering,
  ...gatewayLayering,
  { files: testFiles, rules: { ...boundaries(true), 'no-console': 'off' } },
  {
    files: ['apps/cli/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
];
