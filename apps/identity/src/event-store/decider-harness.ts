import { type Decider } from './decider';
import { type NewEvent, type RecordedEventOf } from './event-store';

export interface HarnessOptions {
  aggregateId: string;
  workspaceId: string;
  /** The time of every command given without one. */
  now: Date;
}

export type History<C> = readonly (readonly [command: C, at?: Date])[];

/**
 * Given/When/Then over any decider, with no database: the past is given as commands, each decided
 * at its time and stamped with an envelope as the store would; `when` is what a command decides
 * now, `then` the state after it.
 *
 *   harness.given([[issue, t0]]).when(revoke)  → the events, or the refusal thrown
 *   harness.given([[issue, t0]]).then(revoke)  → the state after them
 */
export function deciderHarness<C, S, E extends NewEvent>(
  decider: Decider<C, S, E>,
  options: HarnessOptions,
) {
  const record = (events: readonly E[], version: number, at: Date): RecordedEventOf<E>[] =>
    events.map(
      (event, index) =>
        ({
          specversion: '1.0',
          id: `00000000-0000-4000-8000-${String(version + index + 1).padStart(12, '0')}`,
          source: '/keyway/identity',
          subject: options.aggregateId,
          time: at.toISOString(),
          datacontenttype: 'application/json',
          workspaceid: options.workspaceId,
          sequence: version + index + 1,
          actor: 'system',
          ...event,
        }) as RecordedEventOf<E>,
    );
  const fold = (events: readonly RecordedEventOf<E>[]) =>
    events.reduce<S | null>((state, event) => decider.evolve(state, event), null);

  return {
    given(history: History<C> = []) {
      const events: RecordedEventOf<E>[] = [];
      for (const [command, at = options.now] of history) {
        events.push(...record(decider.decide(command, fold(events), at), events.length, at));
      }
      const state = fold(events);
      return {
        /** The state the history folds into. */
        state,
        /** The history's events, as recorded. */
        events,
        /** What `command` decides on that state at `now`: its events, or the refusal thrown. */
        when: (command: C, now: Date = options.now): E[] => decider.decide(command, state, now),
        /** The state after `command` at `now`. */
        then: (command: C, now: Date = options.now): S => {
          const after = fold([
            ...events,
            ...record(decider.decide(command, state, now), events.length, now),
          ]);
          if (after === null) throw new Error('the command left no state');
          return after;
        },
      };
    },
  };
}
