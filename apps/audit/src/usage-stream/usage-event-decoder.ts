import { ContractViolation, parseUsageEvent, type UsageEvent } from '@keyway/contracts';
import { type BatchMessage, PoisonMessage } from '@keyway/platform-kafka';

/** Parses a `keyway.usage.v1` message with its contract; anything that breaks it is poison. */
export function decodeUsageEvent(message: BatchMessage): UsageEvent {
  let json: unknown;
  try {
    json = JSON.parse(message.value);
  } catch {
    throw new PoisonMessage('value is not JSON');
  }
  try {
    return parseUsageEvent(json);
  } catch (error) {
    // Its message names paths and rules, never values.
    if (error instanceof ContractViolation) throw new PoisonMessage(error.message);
    throw error;
  }
}
