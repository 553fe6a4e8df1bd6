// Jest globalTeardown: stops the containers global-setup.ts started (none when the env named
// every service).
import { takeStashedTestServices } from './test-services-stash';

export default async function globalTeardown(): Promise<void> {
  await takeStashedTestServices()?.stop();
}
