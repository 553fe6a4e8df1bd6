import { clientOf } from './client-of';
import { FailureLimiter } from './failure-limiter';

// Security review (docs/security-review-gateway.md, finding 5b): the limiter was keyed
// on the address string as given, so one client escaped a block by rewriting its address
// or moving within its IPv6 /64 (every IPv6 subscriber has at
// least a /64, so 2^64 addresses: the limit stops nobody there).
describe('failure limiter: one client is one client', () => {
  const limit = 3;
  const limiter = () => new FailureLimiter({ limit, windowMs: 60_000 });
  const block = (subject: FailureLimiter, address: string, now: number) => {
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
    // One failure from each of `limit` addresses of the same /64 …
    for (let i = 1; i <= limit; i++) subject.recordFailure(`2001:db8:1:2::${i.toString(16)}`, now);
    // … and the next address of that /64 is refused, another /64 is not.
    expect(subject.retryAfterSeconds('2001:db8:1:2::ffff', now + 1)).toBeGreaterThan(0);
    expect(subject.retryAfterSeconds('2001:db8:1:3::1', now + 1)).toBe(0);
  });

  it('refuses from the limit on, for the rest of the window only, and not other clients', () => {
    const subject = limiter();
    const now = 1_000_000;
    for (let i = 0; i < limit - 1; i++) subject.recordFailure('198.51.100.7', now);
    expect(subject.retryAfterSeconds('198.51.100.7', now)).toBe(0);
    subject.recordFailure('198.51.100.7', now);
    expect(subject.retryAfterSeconds('198.51.100.7', now + 500)).toBe(60);
    expect(subject.retryAfterSeconds('198.51.100.7', now + 59_500)).toBe(1);
    expect(subject.retryAfterSeconds('198.51.100.8', now)).toBe(0);
    expect(subject.retryAfterSeconds('198.51.100.7', now + 60_000)).toBe(0);
  });

  it('names a client canonically, and leaves a non-address alone', () => {
    expect(clientOf('::ffff:198.51.100.7')).toBe(clientOf('198.51.100.7'));
    expect(clientOf('2001:db8:1:2::1')).toBe('20010db800010002/64');
    expect(clientOf('not an address')).toBe('not an address');
  });
});
