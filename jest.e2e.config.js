// The built services, running as processes, over HTTP and Kafka: `*.e2e-spec.ts`.
module.exports = require('./jest.preset')('e2e-spec', {
  globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/platform/testing/src/global-teardown.ts',
  testTimeout: 180_000,
});
