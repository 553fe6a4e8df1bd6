import { isDeepStrictEqual } from 'node:util';
import {
  KEY_EVENT_TYPES,
  type KeyDeletedV1,
  type KeyExpiredV1,
  type KeyIssuedV1,
  type KeyRevokedV1,
  type KeyRotatedV1,
  type KeyUpdatedV1,
} from '@keyway/contracts';
import { type NewEvent } from '../event-store/event-store';
import { type KeyChanges, type KeyState } from './key.state';

export type KeyCommand =
  | { kind: 'issue'; data: Omit<KeyIssuedV1['data'], 'createdAt'> }
  | { kind: 'update'; changes: KeyChanges }
  | { kind: 'rotate'; keyHash: string; start: string; last4: string; gracePeriodMs: number }
  | { kind: 'revoke'; reason: string | null }
  | { kind: 'expire' }
  | { kind: 'delete' };

export type IssueKey = Extract<KeyCommand, { kind: 'issue' }>;

export type KeyRefusal = 'KEY_EXISTS' | 'KEY_NOT_FOUND' | 'KEY_NOT_ACTIVE' | 'EXPIRY_IN_PAST';

/** A command the key's current state does not allow. */
export class KeyRejected extends Error {
  constructor(
    readonly code: KeyRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'KeyRejected';
  }
}

function requireKey(state: KeyState | null): KeyState {
  if (state === null || state.status === 'deleted')
    throw new KeyRejected('KEY_NOT_FOUND', 'key not found');
  return state;
}

function requireActive(state: KeyState | null, action: string): KeyState {
  const key = requireKey(state);
  if (key.status !== 'active')
    throw new KeyRejected('KEY_NOT_ACTIVE', `a ${key.status} key cannot be ${action}`);
  return key;
}

/**
 * Pure: what happens when `command` meets `state` at `now`. Returns the events to record (none
 * when nothing changes) or throws `KeyRejected`.
 */
export function decideKey(command: KeyCommand, state: KeyState | null, now: Date): NewEvent[] {
  const at = now.toISOString();
  switch (command.kind) {
    case 'issue': {
      if (state !== null) throw new KeyRejected('KEY_EXISTS', 'the key already exists');
      const data: KeyIssuedV1['data'] = { ...command.data, createdAt: at };
      return [{ type: KEY_EVENT_TYPES.issued, data }];
    }
    case 'update': {
      const key = requireActive(state, 'updated');
      const changed = Object.fromEntries(
        Object.entries(command.changes).filter(
          ([field, value]) =>
            value !== undefined && !isDeepStrictEqual(value, key[field as keyof KeyState]),
        ),
      ) as KeyUpdatedV1['data'];
      if (Object.keys(changed).length === 0) return [];
      if (typeof changed.expiresAt === 'string' && Date.parse(changed.expiresAt) <= now.getTime()) {
        throw new KeyRejected('EXPIRY_IN_PAST', 'expiresAt must be in the future');
      }
      return [{ type: KEY_EVENT_TYPES.updated, data: changed }];
    }
    case 'rotate': {
      const key = requireActive(state, 'rotated');
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
      if (key.status === 'revoked')
        throw new KeyRejected('KEY_NOT_ACTIVE', 'the key is already revoked');
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
    case 'delete': {
      requireKey(state);
      const data: KeyDeletedV1['data'] = { deletedAt: at };
      return [{ type: KEY_EVENT_TYPES.deleted, data }];
    }
  }
}

interface KeyEventLike {
  type: string;
  data: unknown;
}

/** Pure: the state after one event. */
export function evolveKey(state: KeyState | null, event: KeyEventLike): KeyState | null {
  if (event.type === KEY_EVENT_TYPES.issued) {
    const data = event.data as KeyIssuedV1['data'];
    return {
      ...data,
      status: 'active',
      lastRotatedAt: null,
      previousKeyHash: null,
      previousKeyExpiresAt: null,
      revokedAt: null,
      revokeReason: null,
      version: 1,
    };
  }
  if (state === null) return null;
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case KEY_EVENT_TYPES.updated:
      return { ...next, ...(event.data as KeyUpdatedV1['data']) } as KeyState;
    case KEY_EVENT_TYPES.rotated: {
      const data = event.data as KeyRotatedV1['data'];
      return {
        ...next,
        keyHash: data.keyHash,
        start: data.start,
        last4: data.last4,
        previousKeyHash: data.previousKeyHash,
        previousKeyExpiresAt: data.previousKeyExpiresAt,
        lastRotatedAt: data.rotatedAt,
      };
    }
    case KEY_EVENT_TYPES.revoked: {
      const data = event.data as KeyRevokedV1['data'];
      return { ...next, status: 'revoked', revokedAt: data.revokedAt, revokeReason: data.reason };
    }
    case KEY_EVENT_TYPES.expired:
      return { ...next, status: 'expired' };
    case KEY_EVENT_TYPES.deleted:
      return { ...next, status: 'deleted' };
    default:
      return next;
  }
}

/** Folds a key's events into its state. */
export function keyStateOf(events: readonly KeyEventLike[]): KeyState | null {
  return events.reduce<KeyState | null>(evolveKey, null);
}
