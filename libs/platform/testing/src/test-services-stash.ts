import type { TestServices } from './test-services';

// globalSetup and globalTeardown run in the same process and share globalThis.
const KEY = Symbol.for('keyway.platform-testing.test-services');

type WithStash = typeof globalThis & { [KEY]?: TestServices };

export function stashTestServices(services: TestServices): void {
  (globalThis as WithStash)[KEY] = services;
}

export function takeStashedTestServices(): TestServices | undefined {
  const holder = globalThis as WithStash;
  const services = holder[KEY];
  delete holder[KEY];
  return services;
}
