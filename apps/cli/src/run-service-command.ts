import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs a service's own command entry point (built next to this CLI in dist/), which talks to
 * that service's database with that service's code: the CLI imports no app.
 */
export function runServiceCommand(
  entry: 'identity/src/command.js' | 'gateway/src/command.js' | 'audit/src/main.js',
  args: string[],
) {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', entry), ...args], {
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
