/** Every usage event type on `keyway.usage.v1`. */
export const USAGE_EVENT_TYPES = {
  aggregated: 'keyway.usage.aggregated.v1',
} as const;
