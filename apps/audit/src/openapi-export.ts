import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuditModule } from './audit.module';
import { auditConfig, auditEnvSchema } from './config';
import { auditOpenApi } from './openapi';

/**
 * The OpenAPI document as committed in docs/openapi/audit.json. Built in Nest's preview mode:
 * no provider is instantiated, so no database or broker is needed.
 */
export async function renderAuditOpenApi(): Promise<string> {
  const config = auditConfig(auditEnvSchema.parse({}));
  const app = await NestFactory.create(AuditModule.register(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  const document = auditOpenApi(app);
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (require.main === module) {
  const target = resolve(process.argv[2] ?? 'docs/openapi/audit.json');
  renderAuditOpenApi()
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
