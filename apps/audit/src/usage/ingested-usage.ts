import { type VerificationCode } from '@keyway/contracts';

/**
 * One usage window of a known key, just recorded (a redelivered window is not one): what usage
 * ingest hands the alert detectors, in the same transaction.
 */
export interface IngestedUsage {
  readonly workspaceId: string;
  readonly keyId: string;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly counts: Readonly<Record<VerificationCode, number>>;
  readonly clientAddresses: readonly string[];
  /** Addresses this key had never been seen from before this window. */
  readonly newAddresses: readonly string[];
}
