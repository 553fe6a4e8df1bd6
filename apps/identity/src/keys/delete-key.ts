import { Injectable } from '@nestjs/common';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';
import { KeyAggregate } from './key-aggregate';

/** Deletion: the key is gone from every read; its events stay in the history. */
@Injectable()
export class DeleteKey {
  constructor(private readonly aggregate: KeyAggregate) {}

  async execute(principal: Principal, keyId: string, context: EventContext): Promise<void> {
    await this.aggregate.manage(principal, keyId, { kind: 'delete' }, context);
  }
}
