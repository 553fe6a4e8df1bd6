import 'reflect-metadata';
import { parseEnvOrExit } from '@keyway/platform-config';
import { startHttpService } from '@keyway/platform-observability';
import { identityConfig, identityEnvSchema } from './config';
import { IdentityModule } from './identity.module';
import { serveOpenApi } from './openapi';

async function main(): Promise<void> {
  const config = identityConfig(parseEnvOrExit(identityEnvSchema, 'identity'));
  await startHttpService(IdentityModule.register(config), {
    ...config.http,
    configure: serveOpenApi,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `identity failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
