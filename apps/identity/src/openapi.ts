import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** The management API's OpenAPI document, generated from the controllers and zod DTOs. */
export function identityOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Keyway identity: management API')
    .setDescription(
      'Issue, update, rotate, revoke and delete API keys; manage members, roles and workspaces. ' +
        'Authenticate with `Authorization: Bearer <Keyway key>`. Errors: docs/api/errors.md.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A Keyway key with management scopes',
    })
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/** Serves the document at `/openapi.json` and a browsable reference at `/docs`. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => identityOpenApi(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}
