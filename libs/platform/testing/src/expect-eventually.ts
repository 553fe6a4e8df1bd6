export interface ExpectEventuallyOptions {
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  readonly intervalMs?: number;
}

/**
 * Bounded polling: runs `assertion` until it stops throwing and returns its result.
 * On timeout, rethrows the last assertion error with the elapsed time appended, so Jest still
 * shows the original matcher diff. An attempt that never settles counts against the same deadline;
 * when the deadline cuts one short, the failure of the attempt before it is the one reported.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: ExpectEventuallyOptions = {},
): Promise<T> {
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  let attempts = 0;
  let lastError: unknown;
  let cutShort = false;
  for (;;) {
    attempts += 1;
    try {
      return await beforeDeadline(assertion, deadline);
    } catch (error) {
      // An attempt cut off by the deadline says less than the failure before it: keep that one.
      cutShort = error instanceof AttemptTimedOut;
      if (!cutShort || lastError === undefined) lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const elapsed = Date.now() - startedAt;
      throw withElapsed(
        lastError,
        elapsed,
        attempts,
        cutShort && !(lastError instanceof AttemptTimedOut),
      );
    }
    await pause(Math.min(intervalMs, remaining));
  }
}

class AttemptTimedOut extends Error {
  constructor() {
    super('the assertion did not settle before the deadline');
    this.name = 'AttemptTimedOut';
  }
}

async function beforeDeadline<T>(assertion: () => T | Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimedOut()), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([Promise.resolve().then(assertion), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withElapsed(error: unknown, elapsedMs: number, attempts: number, cutShort = false): Error {
  const note = `expectEventually: still failing after ${elapsedMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}${cutShort ? '; the last did not settle' : ''})`;
  if (!(error instanceof Error)) {
    return new Error(`${String(error)}\n\n${note}`);
  }
  const original = error.message;
  const message = `${original}\n\n${note}`;
  // Jest prints `stack`, which captured the message when the error was built (V8 formats it
  // lazily, so read it before changing the message).
  const stack = error.stack;
  error.message = message;
  if (typeof stack === 'string') {
    error.stack =
      original && stack.includes(original)
        ? stack.replace(original, message)
        : `${error.name}: ${message}\n${stack}`;
  }
  return error;
}
