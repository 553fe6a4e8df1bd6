import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnService, type ServiceProcess } from './child-processes';
import { freePort } from './free-port';
import { pollUntil } from './poll-until';
import { repoRoot } from './repo-root';
import { isListening } from './tcp-probe';

export interface ThrowawayNginx {
  /** `http://127.0.0.1:<port>`: send API requests here. */
  readonly url: string;
  readonly port: number;
  /**
   * Rewrites the config (with `changes` applied), checks it with `nginx -t`, sends SIGHUP and
   * resolves once the old workers have exited, so every new request sees the new config.
   */
  reload(changes?: Partial<ForwardAuthTargets>): Promise<void>;
  /** Graceful shutdown (SIGQUIT), then deletes its directory. Call it in afterAll. */
  stop(): Promise<void>;
  /** Its error and access logs so far. */
  logs(): { readonly error: string; readonly access: string };
}

export interface ForwardAuthTargets {
  /** The gateway's forward auth URL, e.g. `http://127.0.0.1:8080/v1/authorize`. */
  readonly authUrl: string;
  /** The API behind nginx, as an origin: `http://127.0.0.1:3000`. */
  readonly upstreamUrl: string;
}

export interface ThrowawayNginxOptions extends ForwardAuthTargets {
  /** Default: /usr/sbin/nginx when present (Debian's), else `nginx` from PATH. */
  readonly command?: string;
  readonly startTimeoutMs?: number;
}

/** The values that fill tools/nginx/forward-auth.conf.template. */
export interface ForwardAuthConfigValues {
  /** nginx `listen` parameter: `80`, `127.0.0.1:8081`. */
  readonly listen: string;
  /** `host:port` of the gateway. */
  readonly gateway: string;
  /** Path of the forward auth route on the gateway: `/v1/authorize`. */
  readonly authPath: string;
  /** `host:port` of the API. */
  readonly api: string;
}

const TEMPLATE = ['tools', 'nginx', 'forward-auth.conf.template'];
const run = promisify(execFile);

/** The forward auth config the docs show (docs/api/gateway-ingress.md), filled in. */
export function renderForwardAuthConfig(values: ForwardAuthConfigValues): string {
  const fill: Record<string, string> = {
    LISTEN: values.listen,
    GATEWAY: values.gateway,
    AUTH_PATH: values.authPath,
    API: values.api,
  };
  const template = readFileSync(join(repoRoot(), ...TEMPLATE), 'utf8');
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    const value = fill[name];
    if (value === undefined) throw new Error(`${TEMPLATE.join('/')}: unknown ${placeholder}`);
    return value;
  });
}

/**
 * A private nginx on a free port that checks every request with `auth_request` against
 * `authUrl` before proxying it to `upstreamUrl`, with the config from
 * tools/nginx/forward-auth.conf.template. Its config, logs, pid and temp files live in its own
 * directory under the OS temp dir. Needs nginx with auth_request (tools/nginx/ensure.sh).
 */
export async function startThrowawayNginx(options: ThrowawayNginxOptions): Promise<ThrowawayNginx> {
  const { command = defaultCommand(), startTimeoutMs = 10_000 } = options;
  let targets: ForwardAuthTargets = { authUrl: options.authUrl, upstreamUrl: options.upstreamUrl };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'keyway-nginx-'));
  // Workers run as an unprivileged user when nginx starts as root: they must reach their temp dirs.
  chmodSync(dir, 0o711);
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);

  const conf = join(dir, 'nginx.conf');
  const write = (): void => {
    writeFileSync(join(dir, 'forward-auth.conf'), forwardAuthConfig(port, targets));
    writeFileSync(conf, mainConfig(dir));
  };
  const logs = (): { error: string; access: string } => ({
    error: readOrEmpty(join(dir, 'error.log')),
    access: readOrEmpty(join(dir, 'access.log')),
  });
  const nginxArgs = ['-p', dir, '-c', conf];

  let server: ServiceProcess | undefined;
  try {
    write();
    const started = spawnService(command, nginxArgs, { processGroup: true });
    server = started;
    await pollUntil(`nginx on port ${port}`, () => isListening('127.0.0.1', port, 500), {
      timeoutMs: startTimeoutMs,
      gaveUp: () =>
        started.isRunning()
          ? undefined
          : `exited early (nginx with auth_request: tools/nginx/ensure.sh):\n` +
            `${started.output()}${logs().error}`,
    });
  } catch (error) {
    await server?.terminate('SIGKILL');
    removeDir();
    throw error;
  }
  const master = server;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async reload(changes = {}) {
      const previous = targets;
      targets = { ...targets, ...changes };
      write();
      try {
        await run(command, ['-t', '-q', ...nginxArgs]);
      } catch (error) {
        targets = previous;
        write();
        const { stderr } = error as { stderr?: string };
        throw new Error(`nginx -t rejected the new config:\n${stderr ?? ''}`, { cause: error });
      }
      const before = workerPids(logs().error, 'started');
      master.child.kill('SIGHUP');
      await pollUntil(
        'nginx reload',
        async () => {
          const log = logs().error;
          const exited = new Set(workerPids(log, 'exited'));
          const started = workerPids(log, 'started');
          return started.length > before.length && before.every((pid) => exited.has(pid));
        },
        {
          timeoutMs: startTimeoutMs,
          gaveUp: () => (master.isRunning() ? undefined : `exited:\n${logs().error}`),
        },
      );
    },
    async stop() {
      await master.terminate('SIGQUIT', 5_000);
      process.removeListener('exit', removeDir);
      removeDir();
    },
    logs,
  };
}

function defaultCommand(): string {
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
}

function forwardAuthConfig(port: number, { authUrl, upstreamUrl }: ForwardAuthTargets): string {
  const auth = new URL(authUrl);
  const api = new URL(upstreamUrl);
  if (auth.protocol !== 'http:' || api.protocol !== 'http:') {
    throw new Error(`startThrowawayNginx: http:// URLs only (${authUrl}, ${upstreamUrl})`);
  }
  return renderForwardAuthConfig({
    listen: `127.0.0.1:${port}`,
    gateway: auth.host,
    authPath: auth.pathname,
    api: api.host,
  });
}

/** The main context around the forward auth config: everything in `dir`, one worker. */
function mainConfig(dir: string): string {
  const path = (name: string): string => join(dir, name);
  return `# Generated by startThrowawayNginx.
daemon off;
master_process on;
worker_processes 1;
pid ${path('nginx.pid')};
error_log ${path('error.log')} notice;

events {
    worker_connections 256;
}

http {
    access_log ${path('access.log')};
    client_body_temp_path ${path('client_body_temp')};
    proxy_temp_path ${path('proxy_temp')};
    fastcgi_temp_path ${path('fastcgi_temp')};
    uwsgi_temp_path ${path('uwsgi_temp')};
    scgi_temp_path ${path('scgi_temp')};

    include ${path('forward-auth.conf')};
}
`;
}

/** Worker pids from the error log's "start worker process N" or "worker process N exited". */
function workerPids(errorLog: string, event: 'started' | 'exited'): number[] {
  const pattern =
    event === 'started' ? /start worker process (\d+)/g : /worker process (\d+) exited/g;
  return [...errorLog.matchAll(pattern)].map((match) => Number(match[1]));
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
