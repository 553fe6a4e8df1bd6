import { AuditEvents1732320000100 } from './1732320000100-audit-events';

/** Audit's migrations, in order. */
export const AUDIT_MIGRATIONS = [AuditEvents1732320000100];
