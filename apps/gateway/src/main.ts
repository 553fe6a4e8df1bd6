import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { type FastifyInstance } from 'fastify';
import { parseEnvOrExit } from '@keyway/platform-config';
import { startHttpService } from '@keyway/platform-observability';
import { gatewayConfig, gatewayEnvSchema } from './config';
import { GatewayModule } from './gateway.module';
import { GatewayExceptionFilter } from './http/gateway-exception.filter';
import { HotPath } from './http/hot-path';
import { SessionRoute } from './http/session-route';
import { VerificationHandlers } from './http/verification-handlers';
import { serveGatewayDocs } from './openapi';

async function main(): Promise<void> {
  const config = gatewayConfig(parseEnvOrExit(gatewayEnvSchema, 'gateway'));
  const hotPath = new HotPath(config.http.trustProxy);
  await startHttpService(GatewayModule.register(config), {
    ...config.http,
    serverFactory: hotPath.serverFactory,
    configure: (app) => {
      const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
      app.useGlobalFilters(new GatewayExceptionFilter());
      app.get(SessionRoute).register(fastify);
      hotPath.attach(app.get(VerificationHandlers));
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
