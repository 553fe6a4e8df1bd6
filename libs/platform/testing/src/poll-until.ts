/**
 * Polls `probe` until it resolves true; fails early when `gaveUp()` returns a reason (for
 * example, the server process exited), and after `timeoutMs`.
 */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 50, gaveUp }: PollUntilOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    const reason = gaveUp?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (Date.now() >= deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface PollUntilOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly gaveUp?: () => string | undefined;
}
