/** A message that can never succeed (it breaks its contract): parked at once, not retried. */
export class PoisonMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessage';
  }
}
