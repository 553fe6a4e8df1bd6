import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** The audit API's OpenAPI document, generated from the controllers and zod DTOs. */
export function auditOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Keyway audit: trail, integrity, usage and alerts API')
    .setDescription(
      'Query and export the chained audit trail, verify it against signed checkpoints, set ' +
        'retention, read key usage and reports, and manage alerts and their suppressions. ' +
        'Authenticate with `Authorization: Bearer <Keyway key>` (scopes `keyway:audit:read`, ' +
        '`keyway:audit:write`). Errors: docs/api/errors.md.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A Keyway key with an audit scope',
    })
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/**
 * Serves the document at `/openapi.json` and a browsable reference at `/docs`. These are Fastify
 * routes outside Nest's controllers, so no guard applies: they need no key.
 */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => auditOpenApi(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}
