import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { spawnService, type ServiceProcess } from './child-processes';
import { freePort } from './free-port';
import { pollUntil } from './poll-until';
import { osUser, postgresBinDir, type OsUser } from './postgres-binaries';
import type { PostgresConnection } from './test-services';

export interface ThrowawayPostgres extends PostgresConnection {
  /** The cluster's data directory (inside a temp dir deleted by stop()). */
  readonly dataDir: string;
  /** SIGKILL to postgres and all its backends, as in a crash. */
  kill(): Promise<void>;
  /** Starts the same cluster again on the same port (fast shutdown first if it still runs). */
  restart(): Promise<void>;
  /** Fast shutdown, then deletes the cluster. Call it in afterAll. */
  stop(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  /** Directory with initdb and postgres. Default: newest /usr/lib/postgresql/N/bin, else PATH. */
  readonly binDir?: string;
  /** Account to run the server as when this process is root (default 'postgres'). */
  readonly runAsWhenRoot?: string;
  readonly startTimeoutMs?: number;
}

const run = promisify(execFile);

/**
 * initdb into a temp dir (trust auth, superuser `postgres`) and a private postgres on a free
 * port, for tests that kill or restart Postgres. No fsync: it survives kill(), not a power cut.
 */
export async function startThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const {
    binDir = postgresBinDir(),
    runAsWhenRoot = 'postgres',
    startTimeoutMs = 30_000,
  } = options;
  const bin = (name: string): string => (binDir ? join(binDir, name) : name);
  // initdb and postgres refuse to run as root.
  const account: OsUser | undefined = process.getuid?.() === 0 ? osUser(runAsWhenRoot) : undefined;
  const asAccount = account ? { uid: account.uid, gid: account.gid } : {};

  const dir = await mkdtemp(join(tmpdir(), 'keyway-pg-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const connection = { host: '127.0.0.1', port, user: 'postgres', password: '' } as const;
  let server: ServiceProcess | undefined;

  const start = async (): Promise<void> => {
    const started = spawnService(
      bin('postgres'),
      [
        ...['-D', dataDir, '-p', String(port), '-k', dir, '-h', connection.host],
        // Committed data survives kill() (WAL reaches the OS before COMMIT returns), not a
        // machine crash: no fsync.
        ...['-c', 'fsync=off', '-c', 'full_page_writes=off'],
      ],
      { ...asAccount, cwd: dir, processGroup: true },
    );
    server = started;
    await pollUntil(`postgres on port ${port}`, () => acceptsQueries(connection), {
      timeoutMs: startTimeoutMs,
      intervalMs: 100,
      gaveUp: () => (started.isRunning() ? undefined : `exited early:\n${started.output()}`),
    }).catch(async (error: unknown) => {
      await started.terminate('SIGKILL');
      throw error;
    });
  };
  // SIGINT is Postgres' fast shutdown: it does not wait for clients to disconnect.
  const shutDown = async (): Promise<void> => {
    await server?.terminate('SIGINT');
  };

  try {
    if (account) await chown(dir, account.uid, account.gid);
    await run(
      bin('initdb'),
      [
        ...['-D', dataDir, '-U', connection.user, '--auth=trust'],
        ...['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      ],
      { ...asAccount, cwd: dir },
    );
    await start();
  } catch (error) {
    await shutDown();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    ...connection,
    dataDir,
    kill: async () => {
      await server?.terminate('SIGKILL');
    },
    restart: async () => {
      await shutDown();
      await start();
    },
    stop: async () => {
      await shutDown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function acceptsQueries(connection: PostgresConnection): Promise<boolean> {
  const client = new Client({
    ...connection,
    database: 'postgres',
    connectionTimeoutMillis: 1_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
