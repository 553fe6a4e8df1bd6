// Against real Postgres, Redis and Kafka: `*.int-spec.ts`.
module.exports = require('./jest.preset')('int-spec', {
  globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/platform/testing/src/global-teardown.ts',
  testTimeout: 60_000,
});
