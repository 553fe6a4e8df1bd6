import { counter } from '../metrics';

/** Usage windows recorded for the first time, of known keys. */
export const usageWindowsRecorded = counter(
  'keyway_audit_usage_windows_recorded_total',
  'Usage windows of known keys recorded (redeliveries excluded)',
);

/** Usage windows of malformed or unknown keys: kept in usage_windows only. */
export const usageWindowsWithoutKey = counter(
  'keyway_audit_usage_windows_without_key_total',
  'Usage windows of malformed or unknown keys, recorded without a key (redeliveries excluded)',
);

/** Usage windows delivered again and ignored. */
export const usageWindowsRedelivered = counter(
  'keyway_audit_usage_windows_redelivered_total',
  'Usage windows already recorded, ignored',
);
