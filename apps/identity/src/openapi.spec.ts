import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderIdentityOpenApi } from './openapi-export';

/** The committed OpenAPI document is the one the code generates (`nx run identity:openapi`). */
describe('docs/openapi/identity.json', () => {
  let rendered: string;
  beforeAll(async () => {
    rendered = await renderIdentityOpenApi(); // once: it registers process-wide metrics
  });

  it('matches the controllers and DTOs', () => {
    const committed = readFileSync(join(__dirname, '../../../docs/openapi/identity.json'), 'utf8');
    expect(JSON.parse(rendered)).toEqual(JSON.parse(committed));
  });

  it('documents every management route and the error body', () => {
    const document = JSON.parse(rendered) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/keys',
        'GET /v1/keys',
        'GET /v1/keys/{id}',
        'PATCH /v1/keys/{id}',
        'DELETE /v1/keys/{id}',
        'POST /v1/keys/{id}/rotate',
        'POST /v1/keys/{id}/revoke',
        'GET /v1/keys/{id}/events',
        'POST /v1/members',
        'GET /v1/members',
        'PATCH /v1/members/{id}',
        'DELETE /v1/members/{id}',
        'GET /v1/workspace',
        'PATCH /v1/workspace',
        'POST /v1/workspaces',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Error',
        'Key',
        'KeyWithSecret',
        'CreateKeyRequest',
        'Member',
        'Workspace',
      ]),
    );
  });
});
