import { type DatabaseOptions } from '@keyway/platform-database';
import { type AuditConfig } from './config';
import { AUDIT_MIGRATIONS } from './migrations';

export function auditDatabase(config: AuditConfig): DatabaseOptions {
  return {
    connection: config.postgres,
    entities: [],
    migrations: AUDIT_MIGRATIONS,
    applicationName: 'keyway-audit',
  };
}
