import { Injectable, Logger } from '@nestjs/common';
import { type IdentityRecordChange } from './identity-record-change';
import { type KeyRecordChange } from './key-record-change';
import { decodeMessage } from './projection-events';
import { type MemberChange, ProjectionStore } from './projection.store';

export interface RawMessage {
  readonly offset: string;
  readonly value: string;
}

export interface AppliedBatch {
  readonly keysChanged: number;
  /** Keys issued by this batch (what a rebuild counts). */
  readonly keysIssued: number;
  readonly membersChanged: number;
  readonly identitiesChanged: number;
  /** Messages that can never be applied, to park on the dead-letter topic. */
  readonly poison: ReadonlyArray<{ readonly message: RawMessage; readonly reason: string }>;
}

/**
 * Applies a batch of one partition's messages to Redis: decoded and checked against the
 * contracts, then written with one script per event, all commands of the batch pipelined.
 */
@Injectable()
export class ProjectionApplier {
  private readonly logger = new Logger(ProjectionApplier.name);

  constructor(private readonly store: ProjectionStore) {}

  async apply(topic: string, messages: readonly RawMessage[]): Promise<AppliedBatch> {
    const keyChanges: Array<{ message: RawMessage; change: KeyRecordChange }> = [];
    const memberChanges: MemberChange[] = [];
    const identityChanges: Array<{ message: RawMessage; change: IdentityRecordChange }> = [];
    const poison: Array<{ message: RawMessage; reason: string }> = [];
    for (const message of messages) {
      const decoded = decodeMessage(topic, message.value);
      if (decoded.kind === 'key') keyChanges.push({ message, change: decoded.change });
      else if (decoded.kind === 'member') memberChanges.push(decoded.change);
      else if (decoded.kind === 'identity')
        identityChanges.push({ message, change: decoded.change });
      else if (decoded.kind === 'poison') poison.push({ message, reason: decoded.reason });
    }
    const outcomes = await this.store.applyKeyChanges(keyChanges.map(({ change }) => change));
    let keysChanged = 0;
    let keysIssued = 0;
    outcomes.forEach((outcome, index) => {
      const entry = keyChanges[index];
      if (!entry) return;
      if (outcome === 'applied' || outcome === 'gap') keysChanged++;
      if (outcome === 'applied' && entry.change.kind === 'issued') keysIssued++;
      if (outcome === 'gap') {
        this.logger.warn(`${entry.change.keyId}: sequence ${entry.change.sequence} skips events`);
      }
      if (outcome === 'missing') {
        poison.push({
          message: entry.message,
          reason: `${entry.change.kind} for ${entry.change.keyId} before its key.issued`,
        });
      }
    });
    const membersChanged = await this.store.applyMemberChanges(memberChanges);
    const identityOutcomes = await this.store.applyIdentityChanges(
      identityChanges.map(({ change }) => change),
    );
    let identitiesChanged = 0;
    identityOutcomes.forEach((outcome, index) => {
      const entry = identityChanges[index];
      if (!entry) return;
      if (outcome === 'applied' || outcome === 'gap') identitiesChanged++;
      if (outcome === 'missing') {
        poison.push({
          message: entry.message,
          reason: `${entry.change.kind} for ${entry.change.identityId} before its identity.created`,
        });
      }
    });
    return { keysChanged, keysIssued, membersChanged, identitiesChanged, poison };
  }
}
