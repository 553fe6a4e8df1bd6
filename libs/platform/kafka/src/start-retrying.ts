import { type Logger } from '@nestjs/common';

const RESTART_DELAY_MS = 2_000;

/**
 * Starts a consumer for the life of the app: when it cannot start (Kafka not there yet), tries
 * again every 2 s until it can or the app is stopping.
 */
export function startRetrying(
  start: () => Promise<void>,
  logger: Logger,
  stopped: () => boolean,
): void {
  const attempt = (): void => {
    start().catch((error: unknown) => {
      if (stopped()) return;
      logger.error(`cannot start, retrying in ${RESTART_DELAY_MS} ms: ${String(error)}`);
      setTimeout(attempt, RESTART_DELAY_MS).unref();
    });
  };
  attempt();
}
