import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expectEventually, freePort, repoRoot } from '@keyway/platform-testing';

export type ServiceName = 'identity' | 'gateway' | 'audit';

/** A built service (dist/) running as its own process, as in production. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies mid-work. */
  kill(): Promise<void>;
  /** Sends a signal (SIGHUP, say) and returns at once. */
  signal(signal: NodeJS.Signals): void;
}

function entry(name: ServiceName | 'identity-command'): string {
  return name === 'identity-command'
    ? join(repoRoot(), 'dist', 'apps', 'identity', 'src', 'command.js')
    : join(repoRoot(), 'dist', 'apps', name, 'src', 'main.js');
}

/** Starts a service and waits until `/health/ready` answers 200. */
export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  { readyTimeoutMs = 60_000 } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', entry(name)], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      ...env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await expectEventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
        const response = await fetch(`${url}/health/ready`);
        if (response.status !== 200) throw new Error(`${name} not ready: ${await response.text()}`);
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not become ready: ${String(error)}\n--- output ---\n${output}`);
  }
  return {
    name,
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    signal: (signal) => {
      child.kill(signal);
    },
  };
}

/** Runs identity's operator command (bootstrap, migrate) to completion. */
export function identityCommand(
  args: string[],
  env: Record<string, string>,
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [entry('identity-command'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
