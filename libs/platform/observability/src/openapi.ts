import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  /** What the bearer credential is, e.g. "A Keyway key with management scopes". */
  readonly bearer: string;
}

/** A service's OpenAPI document, generated from its controllers and zod DTOs. */
export function openApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: info.bearer })
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/**
 * Serves the document at `/openapi.json` (and `.yaml`) and a browsable reference at `/docs`.
 * These are Fastify routes outside Nest's controllers, so no guard applies: they need no key.
 */
export function serveOpenApi(app: INestApplication, info: OpenApiInfo): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app, info), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}

/**
 * The document as committed under docs/openapi/, built in Nest's preview mode: no provider is
 * instantiated, so no database or broker is needed.
 */
export async function renderOpenApi(module: DynamicModule, info: OpenApiInfo): Promise<string> {
  const app = await NestFactory.create(module, new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  const document = openApiDocument(app, info);
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The export script's body: writes the rendered document to argv[2] (or `defaultTarget`). */
export function writeOpenApi(render: () => Promise<string>, defaultTarget: string): void {
  const target = resolve(process.argv[2] ?? defaultTarget);
  render()
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
