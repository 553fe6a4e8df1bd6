// Against real Postgres, Redis and Kafka: `*.int-spec.ts`.
module.exports = require('./jest.preset')('int-spec', {
  globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
  testTimeout: 60_000,
});
