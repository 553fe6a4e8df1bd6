import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type RecordedEvent, type SqlStatement } from '../event-store/event-store';
import { evolveKey, isKeyEvent } from './key.decide';
import { type KeyState } from './key.state';
import { KeysRepository } from './keys.repository';

/**
 * Keeps the `keys` read model in step with the key's events, with the `evolve` the decisions use.
 * Runs in the transaction that appends (and in `ProjectionRebuild`); ignores other events.
 */
@Injectable()
export class KeyProjector {
  constructor(private readonly keys: KeysRepository) {}

  async apply(tx: EntityManager, event: RecordedEvent): Promise<void> {
    if (!isKeyEvent(event)) return;
    // An aggregate's first event has no row to read.
    const current = event.sequence === 1 ? null : await this.keys.findById(tx, event.subject);
    const key = evolveKey(current, event);
    if (key === null) return;
    if (key.status === 'deleted') await this.keys.delete(tx, key.keyId);
    else await this.keys.save(tx, key);
  }

  /**
   * The row writes for a key's state after a command (folded from its events, as `apply` would
   * leave the row), for the event store to send with the events: no read of the row.
   */
  statementsFor(key: KeyState | null): SqlStatement[] {
    if (key === null) return [];
    return [
      key.status === 'deleted'
        ? this.keys.deleteStatement(key.keyId)
        : this.keys.saveStatement(key),
    ];
  }
}
