import { type GatewayConfig } from '../config';
import { InvalidKeyLimiter } from './invalid-key-limiter';

// Security review (docs/security-review-gateway.md, finding 5b): the limiter was keyed
// on the address string as given, so one client escaped a block by rewriting its address
// or moving within its IPv6 /64 (every IPv6 subscriber has at
// least a /64, so 2^64 addresses: the limit stops nobody there).
describe('invalid-key limiter: one client is one client', () => {
  const limit = 3;
  const limiter = () =>
    new InvalidKeyLimiter({ abuse: { limit, windowMs: 60_000 } } as unknown as GatewayConfig);
  const block = (subject: InvalidKeyLimiter, address: string, now: number) => {
    for (let i = 0; i < limit; i++) subject.recordFailure(address, now);
    expect(subject.retryAfterSeconds(address, now)).toBeGreaterThan(0);
  };

  it.each([
    ['198.51.100.7', '::ffff:198.51.100.7'],
    ['2001:db8::1', '2001:DB8:0:0:0:0:0:1'],
    ['2001:db8::1', '2001:0db8::0001'],
  ])('a block of %s also holds for the same address written %s', (address, variant) => {
    const subject = limiter();
    const now = 1_000_000;
    block(subject, address, now);
    expect(subject.retryAfterSeconds(variant, now + 1)).toBeGreaterThan(0);
  });

  it('counts the addresses of one IPv6 /64 together', () => {
    const subject = limiter();
    const now = 1_000_000;
    // One invalid key from each of `limit` addresses of the same /64 …
    for (let i = 1; i <= limit; i++) subject.recordFailure(`2001:db8:1:2::${i.toString(16)}`, now);
    // … and the next address of that /64 is refused.
    expect(subject.retryAfterSeconds('2001:db8:1:2::ffff', now + 1)).toBeGreaterThan(0);
  });
});
