import { z } from 'zod';
import { parseContract } from '../contract-violation';
import { TOPICS } from '../topics';
import { CheckpointSignedV1 } from './checkpoint-signed.v1';

/** Any event on `keyway.audit-checkpoints.v1`, discriminated by `type`. */
export const CheckpointEvent = z.discriminatedUnion('type', [CheckpointSignedV1]);
export type CheckpointEvent = z.infer<typeof CheckpointEvent>;
export type CheckpointEventType = CheckpointEvent['type'];

/** Parses a `keyway.audit-checkpoints.v1` message (JSON value, string or bytes) or throws. */
export function parseCheckpointEvent(json: unknown): CheckpointEvent {
  return parseContract(CheckpointEvent, TOPICS.auditCheckpoints, json);
}
