/** Every event type on `keyway.audit-checkpoints.v1`. */
export const CHECKPOINT_EVENT_TYPES = {
  signed: 'keyway.checkpoint.signed.v1',
} as const;
