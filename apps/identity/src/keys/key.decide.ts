import { isDeepStrictEqual } from 'node:util';
import {
  KEY_EVENT_TYPES,
  type KeyDeletedV1,
  type KeyEvent,
  type KeyExpiredV1,
  type KeyExpiringV1,
  type KeyIssuedV1,
  type KeyRevokedV1,
  type KeyRotatedV1,
  type KeyUpdatedV1,
} from '@keyway/contracts';
import { type Decider, withChanges } from '../event-store/decider';
import {
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../event-store/event-store';
import { KeyError, KeyErrorCode } from './key.errors';
import { type KeyChanges, type KeyState } from './key.state';

export type KeyCommand =
  | { kind: 'issue'; data: Omit<KeyIssuedV1['data'], 'createdAt'> }
  | { kind: 'update'; changes: KeyChanges }
  | { kind: 'rotate'; keyHash: string; start: string; last4: string; gracePeriodMs: number }
  | { kind: 'revoke'; reason: string | null }
  | { kind: 'expire' }
  | { kind: 'announceExpiring'; leadTimeMs: number }
  | { kind: 'delete' };

export type IssueKeyCommand = Extract<KeyCommand, { kind: 'issue' }>;

/** A key event to append, by type. */
export type NewKeyEvent = NewEventOf<KeyEvent>;
/** A recorded key event, by type. */
export type RecordedKeyEvent = RecordedEventOf<NewKeyEvent>;

function requireKey(state: KeyState | null): KeyState {
  if (state === null || state.status === 'deleted') throw KeyError.notFound();
  return state;
}

/**
 * The key, if it is active at `now`. A key past its `expiresAt` is expired for every decision at
 * once, whether or not the scheduler has recorded `key.expired` yet: nothing brings it back.
 */
function requireActive(state: KeyState | null, action: string, now: Date): KeyState {
  const key = requireKey(state);
  if (key.status !== 'active') {
    throw new KeyError(KeyErrorCode.KEY_NOT_ACTIVE, `a ${key.status} key cannot be ${action}`);
  }
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) {
    throw new KeyError(
      KeyErrorCode.KEY_NOT_ACTIVE,
      `the key expired at ${key.expiresAt} and cannot be ${action}`,
      { expiresAt: key.expiresAt },
    );
  }
  return key;
}

/**
 * Whether a secret ending at `expiresAt` is to be announced at `now`: it ends in the future, no
 * more than `leadTimeMs` from now, and this end (by instant) was not announced yet. An end set
 * with less than the lead time left is announced at once: no expiry goes unannounced.
 */
function isExpiringUnannounced(
  expiresAt: string | null,
  announced: string | null,
  now: Date,
  leadTimeMs: number,
): expiresAt is string {
  if (expiresAt === null) return false;
  const at = Date.parse(expiresAt);
  if (announced !== null && Date.parse(announced) === at) return false;
  return at > now.getTime() && at - leadTimeMs <= now.getTime();
}

/**
 * The `key.expiring` events due on an active key at `now`: its own expiry, and the end of a
 * rotation's grace period unless that is not before the key's own expiry (then the key's
 * announcement covers it). The `keys` read model's `findDueForExpiring` selects the same keys.
 */
function expiringEvents(key: KeyState, now: Date, leadTimeMs: number): NewKeyEvent[] {
  const due: KeyExpiringV1['data'][] = [];
  if (isExpiringUnannounced(key.expiresAt, key.expiringNotifiedFor, now, leadTimeMs)) {
    due.push({ secret: 'current', expiresAt: key.expiresAt });
  }
  const previous = key.previousKeyExpiresAt;
  const beforeKeyEnds =
    previous !== null &&
    (key.expiresAt === null || Date.parse(previous) < Date.parse(key.expiresAt));
  if (
    beforeKeyEnds &&
    isExpiringUnannounced(previous, key.previousExpiringNotifiedFor, now, leadTimeMs)
  ) {
    due.push({ secret: 'previous', expiresAt: previous });
  }
  return due.map((data) => ({ type: KEY_EVENT_TYPES.expiring, data }));
}

/**
 * Pure: what happens when `command` meets `state` at `now`. Returns the events to record (none
 * when nothing changes) or throws `KeyError`.
 */
export function decideKey(command: KeyCommand, state: KeyState | null, now: Date): NewKeyEvent[] {
  const at = now.toISOString();
  switch (command.kind) {
    case 'issue': {
      if (state !== null) throw new KeyError(KeyErrorCode.KEY_EXISTS, 'the key already exists');
      const data: KeyIssuedV1['data'] = { ...command.data, createdAt: at };
      return [{ type: KEY_EVENT_TYPES.issued, data }];
    }
    case 'update': {
      const key = requireActive(state, 'updated', now);
      const changed = Object.fromEntries(
        Object.entries(command.changes).filter(
          ([field, value]) =>
            value !== undefined && !isDeepStrictEqual(value, key[field as keyof KeyState]),
        ),
      ) as KeyUpdatedV1['data'];
      if (Object.keys(changed).length === 0) return [];
      if (typeof changed.expiresAt === 'string' && Date.parse(changed.expiresAt) <= now.getTime()) {
        throw new KeyError(KeyErrorCode.EXPIRY_IN_PAST, 'expiresAt must be in the future', {
          field: 'expiresAt',
        });
      }
      return [{ type: KEY_EVENT_TYPES.updated, data: changed }];
    }
    case 'rotate': {
      const key = requireActive(state, 'rotated', now);
      // The replaced secret works for the grace period, never past the key's own expiry. A second
      // rotation inside a grace period ends the older secret at once: one previous secret at most.
      const graceEnds = now.getTime() + command.gracePeriodMs;
      const keyExpiry = key.expiresAt === null ? Infinity : Date.parse(key.expiresAt);
      const data: KeyRotatedV1['data'] = {
        keyHash: command.keyHash,
        start: command.start,
        last4: command.last4,
        previousKeyHash: key.keyHash,
        previousKeyExpiresAt: new Date(Math.min(graceEnds, keyExpiry)).toISOString(),
        rotatedAt: at,
      };
      return [{ type: KEY_EVENT_TYPES.rotated, data }];
    }
    case 'revoke': {
      const key = requireKey(state);
      if (key.status === 'revoked') {
        throw new KeyError(KeyErrorCode.KEY_NOT_ACTIVE, 'the key is already revoked');
      }
      const data: KeyRevokedV1['data'] = { reason: command.reason, revokedAt: at };
      return [{ type: KEY_EVENT_TYPES.revoked, data }];
    }
    case 'expire': {
      // Only the scheduler expires keys; a key not due, or no longer active, is left alone.
      if (state === null || state.status !== 'active' || state.expiresAt === null) return [];
      if (Date.parse(state.expiresAt) > now.getTime()) return [];
      const data: KeyExpiredV1['data'] = { expiredAt: state.expiresAt };
      return [{ type: KEY_EVENT_TYPES.expired, data }];
    }
    case 'announceExpiring': {
      // Only the scheduler announces; an active key's each secret end once, whoever asks again.
      if (state === null || state.status !== 'active' || command.leadTimeMs <= 0) return [];
      return expiringEvents(state, now, command.leadTimeMs);
    }
    case 'delete': {
      requireKey(state);
      const data: KeyDeletedV1['data'] = { deletedAt: at };
      return [{ type: KEY_EVENT_TYPES.deleted, data }];
    }
  }
}

/** Pure: the state after one event. */
export function evolveKey(state: KeyState | null, event: NewKeyEvent): KeyState | null {
  if (event.type === KEY_EVENT_TYPES.issued) {
    return {
      ...event.data,
      status: 'active',
      lastRotatedAt: null,
      previousKeyHash: null,
      previousKeyExpiresAt: null,
      revokedAt: null,
      revokeReason: null,
      expiringNotifiedFor: null,
      previousExpiringNotifiedFor: null,
      version: 1,
    };
  }
  if (state === null) return null;
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case KEY_EVENT_TYPES.updated:
      return withChanges(next, event.data);
    case KEY_EVENT_TYPES.rotated:
      return {
        ...next,
        keyHash: event.data.keyHash,
        start: event.data.start,
        last4: event.data.last4,
        previousKeyHash: event.data.previousKeyHash,
        previousKeyExpiresAt: event.data.previousKeyExpiresAt,
        previousExpiringNotifiedFor: null,
        lastRotatedAt: event.data.rotatedAt,
      };
    case KEY_EVENT_TYPES.revoked:
      return {
        ...next,
        status: 'revoked',
        revokedAt: event.data.revokedAt,
        revokeReason: event.data.reason,
      };
    case KEY_EVENT_TYPES.expired:
      return { ...next, status: 'expired' };
    case KEY_EVENT_TYPES.deleted:
      return { ...next, status: 'deleted' };
    case KEY_EVENT_TYPES.expiring:
      return event.data.secret === 'current'
        ? { ...next, expiringNotifiedFor: event.data.expiresAt }
        : { ...next, previousExpiringNotifiedFor: event.data.expiresAt };
  }
}

const KEY_EVENT_TYPE_SET: ReadonlySet<string> = new Set(Object.values(KEY_EVENT_TYPES));

/**
 * Whether a recorded event is a key event. By its type alone: the store checked every event
 * against its contract on the way in.
 */
export function isKeyEvent(event: RecordedEvent): event is RecordedKeyEvent {
  return KEY_EVENT_TYPE_SET.has(event.type);
}

/** The key aggregate's pure logic. */
export const keyDecider: Decider<KeyCommand, KeyState, NewKeyEvent> = {
  decide: decideKey,
  evolve: evolveKey,
  accepts: isKeyEvent,
};
