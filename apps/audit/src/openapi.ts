import { type OpenApiInfo } from '@keyway/platform-observability';

/** What audit's OpenAPI document says of itself (docs/openapi/audit.json, `/docs`). */
export const AUDIT_OPENAPI: OpenApiInfo = {
  title: 'Keyway audit: trail, integrity, usage and alerts API',
  description:
    'Query and export the chained audit trail, verify it against signed checkpoints, set ' +
    'retention, read key usage and reports, and manage alerts and their suppressions. ' +
    'Authenticate with `Authorization: Bearer <Keyway key>` (scopes `keyway:audit:read`, ' +
    '`keyway:audit:write`). Errors: docs/api/errors.md.',
  bearer: 'A Keyway key with an audit scope',
};
