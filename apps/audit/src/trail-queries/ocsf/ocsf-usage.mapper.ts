import { VERIFICATION_CODES, type VerificationCode } from '@keyway/contracts';
import {
  classification,
  compact,
  OCSF_PRODUCT,
  OCSF_VERSION,
  OcsfClass,
  type OcsfEvent,
  OcsfSeverity,
} from './ocsf';

/** One `usage_windows` row as the export reads it. */
export interface UsageWindowRow {
  readonly stream: string;
  readonly sequence: string;
  readonly key_id: string | null;
  readonly window_start: Date;
  readonly window_end: Date;
  readonly first_seen_at: Date;
  readonly last_seen_at: Date;
  /** One count per verification outcome, in `VERIFICATION_CODES` order. */
  readonly counts: readonly number[];
  readonly client_addresses: readonly string[];
}

/** A key presented after it stopped being good, or from an address it may not use: Medium. */
const SEVERITY: Readonly<Record<VerificationCode, OcsfSeverity>> = {
  VALID: OcsfSeverity.INFORMATIONAL,
  MALFORMED: OcsfSeverity.LOW,
  NOT_FOUND: OcsfSeverity.LOW,
  REVOKED: OcsfSeverity.MEDIUM,
  EXPIRED: OcsfSeverity.MEDIUM,
  WRONG_ENVIRONMENT: OcsfSeverity.LOW,
  FORBIDDEN_ADDRESS: OcsfSeverity.MEDIUM,
  INSUFFICIENT_SCOPE: OcsfSeverity.LOW,
  USAGE_EXCEEDED: OcsfSeverity.LOW,
  RATE_LIMITED: OcsfSeverity.LOW,
};

/** Other (99): verifying a key is none of API Activity's create, read, update or delete. */
const VERIFY_ACTIVITY = { id: 99, name: 'Verify' } as const;

/**
 * One usage window as OCSF API Activity events: one per verification outcome it counted, in
 * `VERIFICATION_CODES` order, `count` calls each. Pure: the same row, the same events.
 */
export function usageWindowToOcsf(workspaceId: string, row: UsageWindowRow): OcsfEvent[] {
  const addresses = [...row.client_addresses].sort();
  const srcEndpoint =
    addresses.length === 1
      ? { ip: addresses[0] }
      : { name: addresses.length ? 'multiple' : 'unknown' };
  const events: OcsfEvent[] = [];
  VERIFICATION_CODES.forEach((code, index) => {
    const count = row.counts[index] ?? 0;
    if (count === 0) return;
    const valid = code === 'VALID';
    events.push(
      compact({
        ...classification(
          OcsfClass.API_ACTIVITY,
          VERIFY_ACTIVITY.id,
          VERIFY_ACTIVITY.name,
          SEVERITY[code],
        ),
        time: row.last_seen_at.getTime(),
        start_time: row.first_seen_at.getTime(),
        end_time: row.last_seen_at.getTime(),
        count,
        status_id: valid ? 1 : 2,
        status: valid ? 'Success' : 'Failure',
        status_code: code,
        message: `${count} verification(s) answered ${code}`,
        metadata: {
          version: OCSF_VERSION,
          product: OCSF_PRODUCT,
          uid: `${row.stream}:${row.sequence}:${code}`,
          original_time: row.window_end.toISOString(),
          event_code: 'keyway.usage.aggregated.v1',
          log_name: 'usage',
          tenant_uid: workspaceId,
        },
        actor:
          row.key_id === null
            ? { app_name: 'unknown' }
            : {
                user: { uid: row.key_id, credential_uid: row.key_id, type_id: 99, type: 'API Key' },
              },
        api: { operation: 'verify', service: { name: 'keyway-gateway' } },
        src_endpoint: srcEndpoint,
        resources: row.key_id === null ? undefined : [{ uid: row.key_id, type: 'API Key' }],
        unmapped: {
          stream: row.stream,
          sequence: row.sequence,
          windowStart: row.window_start.toISOString(),
          windowEnd: row.window_end.toISOString(),
          clientAddresses: addresses,
        },
      }),
    );
  });
  return events;
}
