import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { identityConfig, identityEnvSchema } from './config';
import { IdentityModule } from './identity.module';
import { identityOpenApi } from './openapi';

/**
 * The OpenAPI document as committed in docs/openapi/identity.json. Built in Nest's preview mode:
 * no provider is instantiated, so no database or broker is needed.
 */
export async function renderIdentityOpenApi(): Promise<string> {
  const config = identityConfig(identityEnvSchema.parse({}));
  const app = await NestFactory.create(IdentityModule.register(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  const document = identityOpenApi(app);
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (require.main === module) {
  const target = resolve(process.argv[2] ?? 'docs/openapi/identity.json');
  renderIdentityOpenApi()
    .then((text) => {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
      process.stdout.write(`wrote ${target}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
}
