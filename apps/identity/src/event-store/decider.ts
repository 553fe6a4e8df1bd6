import { type NewEvent, type RecordedEvent, type RecordedEventOf } from './event-store';

/**
 * An aggregate's pure logic (Emmett's decider): what a command does to a state at `now`, and
 * the state after each of its events. No I/O, no clock: tested with `deciderHarness`.
 */
export interface Decider<C, S, E extends NewEvent> {
  /** The events `command` produces on `state` at `now` (none when nothing changes), or throws. */
  decide(command: C, state: S | null, now: Date): E[];
  /** The state after one of the aggregate's events. */
  evolve(state: S | null, event: RecordedEventOf<E>): S | null;
  /** Whether a recorded event is one of this aggregate's (narrowing it to the event union). */
  accepts(event: RecordedEvent): event is RecordedEventOf<E>;
}

/**
 * An aggregate's state from its recorded events. Events of another type mean the id is not
 * this kind of aggregate: they are not folded, so such an id reads as absent (404), not as a bug.
 */
export function foldEvents<C, S, E extends NewEvent>(
  decider: Decider<C, S, E>,
  events: readonly RecordedEvent[],
): S | null {
  let state: S | null = null;
  for (const event of events) if (decider.accepts(event)) state = decider.evolve(state, event);
  return state;
}

/**
 * `state` with the fields a partial-update event changed (`*.updated` carries only those). A field
 * absent from `changes` keeps its value; `null` is a value.
 */
export function withChanges<S extends object>(
  state: S,
  changes: { readonly [K in keyof S]?: S[K] | undefined },
): S {
  const next = { ...state };
  for (const field of Object.keys(changes) as (keyof S)[]) {
    const value = changes[field];
    if (value !== undefined) next[field] = value;
  }
  return next;
}
