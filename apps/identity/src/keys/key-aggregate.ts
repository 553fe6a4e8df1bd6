import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TOPICS } from '@keyway/contracts';
import { assertCanManageKey, assertEnvironment } from '../auth/authorize';
import { type Principal } from '../auth/principal';
import { Aggregates, type Executed } from '../event-store/aggregates';
import { foldEvents } from '../event-store/decider';
import { type EventContext } from '../event-store/event-store';
import { type KeyCommand, keyDecider } from './key.decide';
import { KeyError } from './key.errors';
import { KeyPolicy } from './key-policy';
import { KeyProjector } from './key.projector';
import { type KeyState } from './key.state';

/** A command, or one that depends on the key's current state (rotation needs its prefix). */
export type KeyCommandFor = KeyCommand | ((key: KeyState) => KeyCommand);

export interface KeyExecution {
  workspaceId: string;
  keyId: string;
  command: KeyCommandFor;
  context: EventContext;
  /** Checks on the current key before deciding (not run for a missing key: decide refuses it). */
  authorize?: (key: KeyState, tx: EntityManager) => void | Promise<void>;
  /** A new key with a fresh id: nothing to load. */
  isNew?: boolean;
}

/** Runs commands on key aggregates: load, decide, record, update the `keys` read model. */
@Injectable()
export class KeyAggregate {
  constructor(
    private readonly aggregates: Aggregates,
    private readonly projector: KeyProjector,
    private readonly policy: KeyPolicy,
  ) {}

  /** One command on one key, in `tx` when given, else in a transaction of its own. */
  execute(execution: KeyExecution, tx?: EntityManager): Promise<Executed<KeyState>> {
    const { workspaceId, keyId, command, context, authorize } = execution;
    return this.aggregates.execute(
      {
        topic: TOPICS.keys,
        aggregateType: 'key',
        aggregateId: keyId,
        workspaceId,
        ...(execution.isNew ? { isNew: true } : {}),
        fold: (events) => foldEvents(keyDecider, events),
        workspaceOf: (key) => key.workspaceId,
        authorize: async (key, manager) => {
          if (key !== null && key.status !== 'deleted') await authorize?.(key, manager);
        },
        decide: (key, now) => {
          if (typeof command !== 'function') return keyDecider.decide(command, key, now);
          if (key === null) throw KeyError.notFound();
          return keyDecider.decide(command(key), key, now);
        },
        project: (manager, event) => this.projector.apply(manager, event),
        readModel: (key) => this.projector.statementsFor(key),
        context,
      },
      tx,
    );
  }

  /**
   * A caller's command on a key of its workspace that it may manage (members only their own and
   * only if the workspace lets them, a test key only test keys, nobody a key stronger than
   * themselves nor a key of a member of a higher role); the key's state after it.
   */
  async manage(
    principal: Principal,
    keyId: string,
    command: KeyCommandFor,
    context: EventContext,
    authorize?: (key: KeyState, tx: EntityManager) => Promise<void>,
  ): Promise<KeyState> {
    const { state } = await this.execute({
      workspaceId: principal.workspaceId,
      keyId,
      command,
      context,
      authorize: async (key, tx) => {
        assertCanManageKey(principal, key);
        assertEnvironment(principal, key.environment);
        await this.policy.assertMayManageKeys(principal, tx);
        await this.policy.assertMayManageKeyOf(principal, key, tx);
        await authorize?.(key, tx);
      },
    });
    if (state === null) throw KeyError.notFound();
    return state;
  }
}
