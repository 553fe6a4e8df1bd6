import { KEY_EVENT_TYPES, type KeyIssuedV1 } from '@keyway/contracts';
import { type NewEvent } from '../event-store/event-store';
import { type KeyState } from './key.state';

export type IssueKey = {
  kind: 'issue';
  /** Everything but the secret, which never reaches the domain: only its hash and display parts. */
  data: Omit<KeyIssuedV1['data'], 'createdAt'>;
};

export type KeyCommand = IssueKey;

/** A command the key's current state does not allow. */
export class KeyRejected extends Error {
  constructor(
    readonly code: 'KEY_EXISTS' | 'KEY_NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'KeyRejected';
  }
}

/** Pure: what happens when `command` meets `state` at `now`. */
export function decideKey(command: KeyCommand, state: KeyState | null, now: Date): NewEvent[] {
  switch (command.kind) {
    case 'issue': {
      if (state !== null) throw new KeyRejected('KEY_EXISTS', 'the key already exists');
      const data: KeyIssuedV1['data'] = { ...command.data, createdAt: now.toISOString() };
      return [{ type: KEY_EVENT_TYPES.issued, data }];
    }
  }
}

/** Pure: the state after one event. */
export function evolveKey(
  state: KeyState | null,
  event: { type: string; data: unknown },
): KeyState | null {
  switch (event.type) {
    case KEY_EVENT_TYPES.issued: {
      const data = event.data as KeyIssuedV1['data'];
      return { ...data, status: 'active', lastRotatedAt: null, version: 1 };
    }
    default:
      return state;
  }
}
