import { KEY_EVENT_TYPES, type KeyEvent, type KeyIssuedV1 } from '@keyway/contracts';

/** What the gateway keeps of a key in Redis to verify it: no secret, only hashes. */
export interface ProjectedKey extends Omit<KeyIssuedV1['data'], 'createdBy' | 'start' | 'last4'> {
  status: 'active' | 'revoked' | 'expired' | 'deleted';
  previousKeyHash: string | null;
  previousKeyExpiresAt: string | null;
  sequence: number;
}

/**
 * Pure: a key's verification state after one of its events. `null` state with anything but
 * `issued` stays null (the history before it was lost: the consumer parks such a message).
 */
export function projectKeyEvent(state: ProjectedKey | null, event: KeyEvent): ProjectedKey | null {
  if (event.type === KEY_EVENT_TYPES.issued) {
    const { createdBy: _createdBy, start: _start, last4: _last4, ...data } = event.data;
    return {
      ...data,
      status: 'active',
      previousKeyHash: null,
      previousKeyExpiresAt: null,
      sequence: event.sequence,
    };
  }
  if (state === null) return null;
  const next = { ...state, sequence: event.sequence };
  switch (event.type) {
    case KEY_EVENT_TYPES.updated:
      return { ...next, ...(definedFields(event.data) as Partial<ProjectedKey>) };
    case KEY_EVENT_TYPES.rotated:
      return {
        ...next,
        keyHash: event.data.keyHash,
        previousKeyHash: event.data.previousKeyHash,
        previousKeyExpiresAt: event.data.previousKeyExpiresAt,
      };
    case KEY_EVENT_TYPES.revoked:
      return { ...next, status: 'revoked' };
    case KEY_EVENT_TYPES.expired:
      return { ...next, status: 'expired' };
    case KEY_EVENT_TYPES.deleted:
      return { ...next, status: 'deleted' };
  }
}

function definedFields(data: object): object {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}
