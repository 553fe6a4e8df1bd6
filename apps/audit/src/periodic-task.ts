import { Logger } from '@nestjs/common';

/**
 * Runs `task` every `intervalMs` until stopped, backing off (up to 5 s) while it fails, so a
 * dependency that is down (Kafka, Postgres) is retried rather than given up on. A task that
 * catches its own failures runs exactly every `intervalMs`.
 */
export class PeriodicTask {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    /** Resolves true when there is more to do at once (a full batch). */
    private readonly task: () => Promise<boolean>,
    private readonly logger = new Logger(name),
  ) {}

  /** Starts the loop: the first run at once, or after `firstDelayMs`. */
  start(firstDelayMs = 0): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(firstDelayMs: number): Promise<void> {
    if (firstDelayMs > 0) await this.sleep(firstDelayMs);
    let failures = 0;
    while (this.running) {
      try {
        const more = await this.task();
        failures = 0;
        if (!more) await this.sleep(this.intervalMs);
      } catch (error) {
        failures++;
        this.logger.warn(`${this.name} failed (${failures} in a row): ${String(error)}`);
        await this.sleep(Math.min(200 * 2 ** failures, 5_000));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
