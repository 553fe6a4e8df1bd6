// Shared Jest settings: swc transpiles TypeScript (with decorator metadata for NestJS);
// tsconfig path aliases map to library sources.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = __dirname;
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const { paths } = JSON.parse(
  readFileSync(join(root, 'tsconfig.base.json'), 'utf8'),
).compilerOptions;

const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias}$`, join(root, target)]),
);

module.exports = (kind, overrides = {}) => ({
  rootDir: root,
  displayName: kind,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  testMatch: [`**/*.${kind}.ts`],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  ...overrides,
});
