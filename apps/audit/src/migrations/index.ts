import { AuditEvents1732320000100 } from './1732320000100-audit-events';
import { ChainedTrail1732320000200 } from './1732320000200-chained-trail';
import { Alerts1732320000500 } from './1732320000500-alerts';

/** Audit's migrations, in order. */
export const AUDIT_MIGRATIONS = [
  AuditEvents1732320000100,
  ChainedTrail1732320000200,
  Alerts1732320000500,
];
