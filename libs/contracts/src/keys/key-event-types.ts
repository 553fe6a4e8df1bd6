/** Every key lifecycle event type on `keyway.keys.v1`; switch on these exhaustively. */
export const KEY_EVENT_TYPES = {
  issued: 'keyway.key.issued.v1',
  updated: 'keyway.key.updated.v1',
  rotated: 'keyway.key.rotated.v1',
  revoked: 'keyway.key.revoked.v1',
  expired: 'keyway.key.expired.v1',
  deleted: 'keyway.key.deleted.v1',
  expiring: 'keyway.key.expiring.v1',
} as const;
