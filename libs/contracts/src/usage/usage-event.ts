import { z } from 'zod';
import { parseContract } from '../contract-violation';
import { TOPICS } from '../topics';
import { UsageAggregatedV1 } from './usage-aggregated.v1';

/** Any event on `keyway.usage.v1`, discriminated by `type`. */
export const UsageEvent = z.discriminatedUnion('type', [UsageAggregatedV1]);
export type UsageEvent = z.infer<typeof UsageEvent>;
export type UsageEventType = UsageEvent['type'];

/** Parses a `keyway.usage.v1` message (JSON value, string or bytes) or throws `ContractViolation`. */
export function parseUsageEvent(json: unknown): UsageEvent {
  return parseContract(UsageEvent, TOPICS.usage, json);
}
