import { isDeepStrictEqual } from 'node:util';
import { KEY_EVENT_TYPES, WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { type ChainEntry } from '../chain/chain-appender';
import { type TrailEvent } from './trail-event';

/** A JSON object: an aggregate's state as audit keeps it, or the changed fields of a record. */
export type Fields = NonNullable<ChainEntry['after']>;
type Json = Fields[string];

/** What one event did to its subject, as the trail records it. */
export interface SubjectChange {
  /** The changed fields' values before the event; null when the subject did not exist. */
  readonly before: Fields | null;
  /** The changed fields' new values (the full state on creation). */
  readonly after: Fields | null;
  /** The subject's state after the event. */
  readonly state: Fields;
}

/** Fields that identify a secret (HMACs of keys): never copied into the trail. */
const SECRET_FIELD = /hash/i;

/**
 * The record of an event against its subject's state before it (`null` when audit has none):
 * creations record the full state as `after`; every other event records only the fields it
 * changed, with `before` holding their previous values (null where audit never saw one). Status
 * transitions (revoked, expired, deleted, removed) are changes of `status` and a timestamp.
 */
export function changeOf({ kind, event }: TrailEvent, state: Fields | null): SubjectChange {
  const current = state ?? {};
  if (kind === 'key') {
    switch (event.type) {
      case KEY_EVENT_TYPES.issued: {
        const { keyHash: _secret, ...data } = event.data;
        return created({ ...data, status: 'active', lastRotatedAt: null });
      }
      case KEY_EVENT_TYPES.updated:
        return changed(current, event.data);
      case KEY_EVENT_TYPES.rotated:
        return changed(current, {
          start: event.data.start,
          last4: event.data.last4,
          lastRotatedAt: event.data.rotatedAt,
          previousKeyExpiresAt: event.data.previousKeyExpiresAt,
        });
      case KEY_EVENT_TYPES.revoked:
        return changed(current, {
          status: 'revoked',
          revokedAt: event.data.revokedAt,
          revocationReason: event.data.reason,
        });
      case KEY_EVENT_TYPES.expired:
        return changed(current, { status: 'expired', expiredAt: event.data.expiredAt });
      case KEY_EVENT_TYPES.deleted:
        return changed(current, { status: 'deleted', deletedAt: event.data.deletedAt });
      case KEY_EVENT_TYPES.expiring:
        // A notice, not a change: what is expiring and when, nothing before it.
        return { before: null, after: { expiring: { ...event.data } }, state: current };
    }
  }
  if (kind === 'workspace') {
    switch (event.type) {
      case WORKSPACE_EVENT_TYPES.workspaceCreated:
        // Workspaces created before `memberKeys` existed have `none` (workspace-updated.v2).
        return created({ ...event.data, memberKeys: 'none' });
      case WORKSPACE_EVENT_TYPES.workspaceUpdated:
      case WORKSPACE_EVENT_TYPES.workspaceUpdatedV2:
        return changed(current, event.data);
      case WORKSPACE_EVENT_TYPES.memberAdded:
        return created({ ...event.data, status: 'active' });
      case WORKSPACE_EVENT_TYPES.memberRoleChanged:
        return changed({ role: event.data.previousRole, ...current }, { role: event.data.role });
      case WORKSPACE_EVENT_TYPES.memberRemoved:
        return changed(current, { status: 'removed' });
      case WORKSPACE_EVENT_TYPES.identityCreated:
        return created({ ...event.data, status: 'active' });
      case WORKSPACE_EVENT_TYPES.identityUpdated: {
        const { externalId: _unchanging, ...changes } = event.data;
        return changed(current, changes);
      }
      case WORKSPACE_EVENT_TYPES.identityDeleted:
        return changed(current, { status: 'deleted', deletedAt: event.data.deletedAt });
    }
  }
  // A type audit does not know: its data as it came (secret-like fields dropped), state as it was.
  const data = withoutSecrets(toJson(event.data));
  const after = data === null ? null : isObject(data) ? data : { data };
  return { before: null, after, state: current };
}

function created(state: Record<string, unknown>): SubjectChange {
  const after = toJson(state) as Fields;
  return { before: null, after, state: after };
}

/** The fields of `updates` that differ from `state`, before and after, and the new state. */
function changed(state: Fields, updates: Record<string, unknown>): SubjectChange {
  const before: Fields = {};
  const after: Fields = {};
  const next: Fields = { ...state };
  for (const [field, raw] of Object.entries(updates)) {
    if (raw === undefined) continue;
    const value = toJson(raw);
    const previous = state[field] ?? null;
    next[field] = value;
    if (isDeepStrictEqual(previous, value)) continue;
    before[field] = previous;
    after[field] = value;
  }
  return { before, after, state: next };
}

/** Drops `undefined` (absent optional fields) the way JSON does. */
function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function isObject(value: Json): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutSecrets(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([field]) => !SECRET_FIELD.test(field))
      .map(([field, inner]) => [field, withoutSecrets(inner)]),
  );
}
