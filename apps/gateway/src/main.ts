import 'reflect-metadata';
import { parseEnvOrExit } from '@keyway/platform-config';
import { startHttpService } from '@keyway/platform-observability';
import { gatewayConfig, gatewayEnvSchema } from './config';
import { GatewayModule } from './gateway.module';

async function main(): Promise<void> {
  const config = gatewayConfig(parseEnvOrExit(gatewayEnvSchema, 'gateway'));
  await startHttpService(GatewayModule.register(config), config.http);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
