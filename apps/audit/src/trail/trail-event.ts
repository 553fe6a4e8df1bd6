import {
  CloudEventEnvelope,
  ContractViolation,
  KEY_EVENT_TYPES,
  type KeyEvent,
  parseKeyEvent,
  parseWorkspaceEvent,
  TOPICS,
  WORKSPACE_EVENT_TYPES,
  type WorkspaceEvent,
} from '@keyway/contracts';
import { type BatchMessage, PoisonMessage } from '@keyway/platform-kafka';

/** An event of a type audit does not know yet (a newer version): recorded as it comes. */
export type OtherEvent = CloudEventEnvelope & { workspaceid: string };

/** A lifecycle event as the trail ingest takes it. */
export type TrailEvent =
  | { readonly kind: 'key'; readonly event: KeyEvent }
  | { readonly kind: 'workspace'; readonly event: WorkspaceEvent }
  | { readonly kind: 'other'; readonly event: OtherEvent };

const KNOWN: Readonly<Record<string, ReadonlySet<string>>> = {
  [TOPICS.keys]: new Set(Object.values(KEY_EVENT_TYPES)),
  [TOPICS.workspaces]: new Set(Object.values(WORKSPACE_EVENT_TYPES)),
};

/** The longest subject a trail record takes (`AuditRecord.subject`). */
const MAX_SUBJECT = 256;

/**
 * Parses a message of the key or workspace topic with its contract. A known type that breaks its
 * schema is poison; an unknown type (a later version) is kept when its envelope is sound.
 */
export function decodeTrailEvent(message: BatchMessage): TrailEvent {
  let json: unknown;
  try {
    json = JSON.parse(message.value);
  } catch {
    throw new PoisonMessage('value is not JSON');
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : null;
  try {
    if (typeof type === 'string' && KNOWN[message.topic]?.has(type)) {
      return message.topic === TOPICS.keys
        ? { kind: 'key', event: parseKeyEvent(json) }
        : { kind: 'workspace', event: parseWorkspaceEvent(json) };
    }
  } catch (error) {
    // Its message names paths and rules, never values.
    if (error instanceof ContractViolation) throw new PoisonMessage(error.message);
    throw error;
  }
  const envelope = CloudEventEnvelope.safeParse(json);
  if (!envelope.success) throw new PoisonMessage('value is not a Keyway CloudEvent');
  const { workspaceid, subject } = envelope.data;
  if (workspaceid === undefined) throw new PoisonMessage('event has no workspaceid');
  if (subject.length > MAX_SUBJECT) throw new PoisonMessage('subject is too long');
  return { kind: 'other', event: { ...envelope.data, workspaceid } };
}
