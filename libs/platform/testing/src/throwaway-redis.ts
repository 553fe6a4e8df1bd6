import { spawnService, type ServiceProcess } from './child-processes';
import { freePort } from './free-port';
import { pollUntil } from './poll-until';
import { tcpExchange } from './tcp-probe';

export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the server vanishes without a goodbye, as in a crash. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (stopping it first if it still runs). */
  restart(): Promise<void>;
  /** Graceful shutdown; call it in afterAll. */
  stop(): Promise<void>;
}

export interface ThrowawayRedisOptions {
  /** Default: `redis-server` from PATH. */
  readonly command?: string;
  readonly startTimeoutMs?: number;
}

/** A private redis-server on a free port, for tests that kill or restart Redis. No persistence. */
export async function startThrowawayRedis(
  options: ThrowawayRedisOptions = {},
): Promise<ThrowawayRedis> {
  const { command = 'redis-server', startTimeoutMs = 10_000 } = options;
  const port = await freePort();
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1'],
    ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
  ];

  let server: ServiceProcess | undefined;
  const start = async (): Promise<void> => {
    const started = spawnService(command, args);
    server = started;
    await pollUntil(`redis-server on port ${port}`, () => redisAnswers(port), {
      timeoutMs: startTimeoutMs,
      gaveUp: () => (started.isRunning() ? undefined : `exited early:\n${started.output()}`),
    }).catch(async (error: unknown) => {
      await started.terminate('SIGKILL');
      throw error;
    });
  };
  const stop = async (): Promise<void> => {
    await server?.terminate('SIGTERM');
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: async () => {
      await server?.terminate('SIGKILL');
    },
    restart: async () => {
      await stop();
      await start();
    },
    stop,
  };
}

async function redisAnswers(port: number): Promise<boolean> {
  try {
    return (await tcpExchange('127.0.0.1', port, 'PING\r\n', 500)).startsWith('+PONG');
  } catch {
    return false;
  }
}
