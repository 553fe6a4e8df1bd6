import { stripVTControlCharacters } from 'node:util';
import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it('returns as soon as the assertion passes', async () => {
    let calls = 0;
    const result = await expectEventually(
      () => {
        calls += 1;
        expect(calls).toBeGreaterThanOrEqual(3);
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(result).toBe(3);
  });

  it('retries async assertions', async () => {
    let calls = 0;
    await expectEventually(
      async () => {
        calls += 1;
        await Promise.resolve();
        if (calls < 2) throw new Error('not yet');
      },
      { intervalMs: 1 },
    );
    expect(calls).toBe(2);
  });

  it('rethrows the last assertion error with the elapsed time', async () => {
    let calls = 0;
    const failure = expectEventually(
      () => {
        calls += 1;
        expect(calls).toBe(-1);
      },
      { timeoutMs: 60, intervalMs: 10 },
    );
    // Jest colours its matcher messages when the terminal allows: compare without ANSI codes.
    const message = await failure.then(
      () => '',
      (error: Error) => stripVTControlCharacters(error.message),
    );
    expect(message).toMatch(/Expected: -1[\s\S]*still failing after \d+ ms/);
    await expect(failure).rejects.toHaveProperty(
      'stack',
      expect.stringMatching(/still failing after \d+ ms \(\d+ attempts\)/),
    );
    expect(calls).toBeGreaterThan(1);
  });

  it('keeps the timeout even when an attempt never settles', async () => {
    const startedAt = Date.now();
    await expect(
      expectEventually(() => new Promise<never>(() => undefined), { timeoutMs: 50 }),
    ).rejects.toThrow(/did not settle[\s\S]*still failing after/);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('reports the last real failure when the deadline cuts the final attempt short', async () => {
    let calls = 0;
    await expect(
      expectEventually(
        async () => {
          calls += 1;
          // Attempts fail at once, then one hangs past the deadline (a slow query, say).
          if (calls < 3) throw new Error(`expected 1 revocation, got 0 (call ${calls})`);
          await new Promise(() => undefined);
        },
        { timeoutMs: 100, intervalMs: 5 },
      ),
    ).rejects.toThrow(
      /expected 1 revocation, got 0 \(call 2\)[\s\S]*still failing after .*the last did not settle/,
    );
  });

  it('wraps values that are not errors', async () => {
    await expect(
      expectEventually(
        () => {
          throw 'plain string';
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow(/plain string[\s\S]*still failing/);
  });
});
