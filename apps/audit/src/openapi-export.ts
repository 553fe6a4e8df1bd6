import 'reflect-metadata';
import { renderOpenApi, writeOpenApi } from '@keyway/platform-observability';
import { AuditModule } from './audit.module';
import { auditConfig, auditEnvSchema } from './config';
import { AUDIT_OPENAPI } from './openapi';

/** The OpenAPI document as committed in docs/openapi/audit.json. */
export const renderAuditOpenApi = (): Promise<string> =>
  renderOpenApi(AuditModule.register(auditConfig(auditEnvSchema.parse({}))), AUDIT_OPENAPI);

if (require.main === module) writeOpenApi(renderAuditOpenApi, 'docs/openapi/audit.json');
