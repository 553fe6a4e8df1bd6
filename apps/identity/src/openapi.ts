import { type OpenApiInfo } from '@keyway/platform-observability';

/** What the management API's OpenAPI document says of itself (docs/openapi/identity.json). */
export const IDENTITY_OPENAPI: OpenApiInfo = {
  title: 'Keyway identity: management API',
  description:
    'Issue, update, rotate, revoke and delete API keys; manage members, roles and workspaces. ' +
    'Authenticate with `Authorization: Bearer <Keyway key>`. Errors: docs/api/errors.md.',
  bearer: 'A Keyway key with management scopes',
};
