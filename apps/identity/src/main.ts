import 'reflect-metadata';
import { parseEnvOrExit } from '@keyway/platform-config';
import { serveOpenApi, startHttpService } from '@keyway/platform-observability';
import { identityConfig, identityEnvSchema } from './config';
import { IdentityModule } from './identity.module';
import { IDENTITY_OPENAPI } from './openapi';

async function main(): Promise<void> {
  const config = identityConfig(parseEnvOrExit(identityEnvSchema, 'identity'));
  await startHttpService(IdentityModule.register(config), {
    ...config.http,
    // An identity's external id is up to 128 characters, more once percent-encoded: longer than
    // Fastify's default 100, and a too-long one should be told why (400), not 404.
    maxParamLength: 512,
    configure: (app) => serveOpenApi(app, IDENTITY_OPENAPI),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `identity failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
