import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAuditOpenApi } from './openapi-export';

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

/** The committed OpenAPI document is the one the code generates (`nx run audit:openapi`). */
describe('docs/openapi/audit.json', () => {
  let rendered: string;
  let document: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    rendered = await renderAuditOpenApi(); // once: it registers process-wide metrics
    document = JSON.parse(rendered) as typeof document;
  });

  it('matches the controllers and DTOs', () => {
    const committed = readFileSync(join(__dirname, '../../../docs/openapi/audit.json'), 'utf8');
    expect(JSON.parse(rendered)).toEqual(JSON.parse(committed));
  });

  it('documents every audit route, each with a bearer key and the error body', () => {
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          operation,
        })),
      );
    expect(operations.map(({ route }) => route).sort()).toEqual(
      [
        'GET /v1/audit/events',
        'GET /v1/audit/events/export',
        'GET /v1/audit/integrity',
        'GET /v1/audit/checkpoints',
        'GET /v1/audit/checkpoints/latest',
        'GET /v1/audit/public-keys',
        'GET /v1/audit/retention',
        'PUT /v1/audit/retention',
        'GET /v1/keys/{id}/usage',
        'GET /v1/keys/{id}/activity',
        'GET /v1/reports/inactive-keys',
        'GET /v1/reports/stale-keys',
        'GET /v1/alerts',
        'GET /v1/alerts/{id}',
        'POST /v1/alerts/suppressions',
        'GET /v1/alerts/suppressions',
        'DELETE /v1/alerts/suppressions/{id}',
      ].sort(),
    );
    for (const { route, operation } of operations) {
      expect({ route, security: operation.security }).toEqual({
        route,
        security: [{ bearer: [] }],
      });
      for (const status of ['400', '401', '403', '429', '503']) {
        expect({ route, status, body: operation.responses[status]?.content }).toEqual({
          route,
          status,
          body: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        });
      }
    }
  });

  it('gives the export its content types', () => {
    const ok = document.paths['/v1/audit/events/export']?.['get']?.responses['200'];
    expect(Object.keys(ok?.content ?? {}).sort()).toEqual(['application/x-ndjson', 'text/csv']);
  });
});
