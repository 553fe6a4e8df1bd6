import { DomainError } from '@keyway/platform-observability';

export const TenancyErrorCode = {
  /** A workspace exists: bootstrap creates only the first. */
  ALREADY_BOOTSTRAPPED: 'ALREADY_BOOTSTRAPPED',
} as const;
export type TenancyErrorCode = (typeof TenancyErrorCode)[keyof typeof TenancyErrorCode];

/** A tenancy command refused. */
export class TenancyError extends DomainError<TenancyErrorCode> {}
