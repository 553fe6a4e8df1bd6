// Jest globalSetup for *.int-spec.ts and *.e2e-spec.ts (see jest.int.config.js).
// Imports stay relative: Jest does not apply moduleNameMapper to globalSetup files.
import { resolveTestServices } from './resolve-test-services';
import { testServicesEnv } from './services-from-env';
import { stashTestServices } from './test-services-stash';

export default async function globalSetup(): Promise<void> {
  const services = await resolveTestServices();
  stashTestServices(services);
  // Workers and spawned processes inherit process.env from here.
  Object.assign(process.env, testServicesEnv(services));
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
}
