import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { type FastifyInstance } from 'fastify';
import { parseEnvOrExit } from '@keyway/platform-config';
import { startHttpService } from '@keyway/platform-observability';
import { gatewayConfig, gatewayEnvSchema } from './config';
import { GatewayModule } from './gateway.module';
import { GatewayExceptionFilter } from './http/gateway-exception.filter';
import { VerificationRoutes } from './http/verification-routes';
import { serveGatewayDocs } from './openapi';

async function main(): Promise<void> {
  const config = gatewayConfig(parseEnvOrExit(gatewayEnvSchema, 'gateway'));
  await startHttpService(GatewayModule.register(config), {
    ...config.http,
    configure: (app) => {
      const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
      app.useGlobalFilters(new GatewayExceptionFilter());
      app.get(VerificationRoutes).register(fastify);
      serveGatewayDocs(app);
      if (config.developmentPepper) {
        new Logger('gateway').warn(
          'KEYWAY_PEPPER is not set: using the public development pepper (never in production)',
        );
      }
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
