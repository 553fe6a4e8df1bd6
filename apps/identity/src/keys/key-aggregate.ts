import { type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { type ExecuteRequest } from '../event-store/aggregates';
import { type EventContext } from '../event-store/event-store';
import { type KeyCommand, decideKey, KeyRejected, keyStateOf } from './key.decide';
import { type KeyState } from './key.state';

/** A command, or one that depends on the key's current state (rotation needs its prefix). */
export type KeyCommandFor = KeyCommand | ((key: KeyState) => KeyCommand);

/** An `Aggregates.execute` request for one command on one key. */
export function keyCommand(
  workspaceId: string,
  keyId: string,
  command: KeyCommandFor,
  context: EventContext,
  authorize?: (key: KeyState, tx: EntityManager) => void | Promise<void>,
): ExecuteRequest<KeyState> {
  return {
    topic: TOPICS.keys,
    aggregateType: 'key',
    aggregateId: keyId,
    workspaceId,
    fold: keyStateOf,
    workspaceOf: (key) => key.workspaceId,
    authorize: async (key, tx) => {
      if (key !== null && key.status !== 'deleted') await authorize?.(key, tx);
    },
    decide: (key, now) => {
      if (typeof command !== 'function') return decideKey(command, key, now);
      if (key === null) throw new KeyRejected('KEY_NOT_FOUND', 'key not found');
      return decideKey(command(key), key, now);
    },
    context,
  };
}
