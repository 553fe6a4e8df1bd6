import { AuditEvents1732320000100 } from './1732320000100-audit-events';
import { ChainedTrail1732320000200 } from './1732320000200-chained-trail';
import { Alerts1732320000500 } from './1732320000500-alerts';
import { CheckpointsRetention1732320000300 } from './1732320000300-checkpoints-retention';
import { UsageReportIndexes1732320000400 } from './1732320000400-usage-report-indexes';
import { ProgressMarks1732320000600 } from './1732320000600-progress-marks';

/** Audit's migrations, in order. */
export const AUDIT_MIGRATIONS = [
  AuditEvents1732320000100,
  ChainedTrail1732320000200,
  Alerts1732320000500,
  CheckpointsRetention1732320000300,
  UsageReportIndexes1732320000400,
  ProgressMarks1732320000600,
];
