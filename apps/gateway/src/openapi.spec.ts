import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderGatewayOpenApi } from './openapi-export';

/** The committed OpenAPI document is the one the contracts generate (`npm run openapi`). */
describe('docs/openapi/gateway.json', () => {
  const rendered = JSON.parse(renderGatewayOpenApi()) as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };

  it('matches the HTTP contracts', () => {
    const committed = readFileSync(join(__dirname, '../../../docs/openapi/gateway.json'), 'utf8');
    expect(rendered).toEqual(JSON.parse(committed));
  });

  it('documents verify, forward auth on every method, sessions and the SPEC fields', () => {
    expect(Object.keys(rendered.paths)).toEqual(['/v1/verify', '/v1/authorize', '/v1/sessions']);
    expect(Object.keys(rendered.paths['/v1/authorize'] ?? {})).toHaveLength(7);
    const response = rendered.components.schemas['VerifyKeyResponse']?.properties ?? {};
    for (const field of [
      'valid',
      'code',
      'keyId',
      'workspaceId',
      'environment',
      'scopes',
      'ownerId',
      'metadata',
      'expiresAt',
      'ratelimit',
    ]) {
      expect(response).toHaveProperty(field);
    }
  });
});
