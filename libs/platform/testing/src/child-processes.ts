import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The tail of stdout and stderr, for error messages. */
  output(): string;
  /** Resolves once the process has exited (at once if it already has). */
  exited(): Promise<void>;
  isRunning(): boolean;
  /**
   * Sends `signal` (to the whole process group when spawned with `processGroup`) and waits for
   * the exit, escalating to SIGKILL after `graceMs`.
   */
  terminate(signal: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export type SpawnServiceOptions = Omit<SpawnOptions, 'detached' | 'stdio'> & {
  /** Start a new process group, so signals also reach the server's own children. */
  readonly processGroup?: boolean;
};

const killOnExit = new Set<() => void>();

/** Spawns a long-running server that is SIGKILLed if this Node process exits first. */
export function spawnService(
  command: string,
  args: readonly string[],
  { processGroup = false, ...options }: SpawnServiceOptions = {},
): ServiceProcess {
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: processGroup,
  });
  let output = '';
  const collect = (chunk: Buffer | string): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const signal = (name: NodeJS.Signals): void => {
    if (!running || child.pid === undefined) return;
    try {
      process.kill(processGroup ? -child.pid : child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const killNow = (): void => signal('SIGKILL');

  let running = true;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      collect(`\n${command}: ${error.message}\n`);
      resolve();
    });
  }).then(() => {
    running = false;
    killOnExit.delete(killNow);
  });
  killOnExit.add(killNow);
  installExitHook();

  return {
    child,
    output: () => output,
    exited: () => exit,
    isRunning: () => running,
    async terminate(name, graceMs = 15_000) {
      signal(name);
      const timer = name === 'SIGKILL' ? undefined : setTimeout(killNow, graceMs);
      try {
        await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const kill of killOnExit) kill();
  });
}
