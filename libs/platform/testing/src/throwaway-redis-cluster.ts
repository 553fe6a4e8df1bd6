import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnService, type ServiceProcess } from './child-processes';
import { freePort } from './free-port';
import { pollUntil } from './poll-until';
import { tcpExchange } from './tcp-probe';

export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
}

export interface ThrowawayRedisCluster {
  /** The masters, in creation order: pass them to ioredis `new Cluster(nodes)`. */
  readonly nodes: readonly RedisClusterNode[];
  /** SIGKILLs node `index`: its slots become unreachable (there are no replicas). */
  kill(index: number): Promise<void>;
  /** Starts node `index` again on its ports and cluster config, empty, and waits for `cluster_state:ok`. */
  restart(index: number): Promise<void>;
  /** Stops every node and deletes their directory. Call it in afterAll. */
  stop(): Promise<void>;
}

export interface ThrowawayRedisClusterOptions {
  /** At least 3 (what `redis-cli --cluster create` accepts). Default 3. */
  readonly masters?: number;
  /** Default: `redis-server` and `redis-cli` from PATH. */
  readonly serverCommand?: string;
  readonly cliCommand?: string;
  /** `cluster-node-timeout`: how soon the others mark a killed node as failing. Default 5000. */
  readonly nodeTimeoutMs?: number;
  readonly startTimeoutMs?: number;
}

const SLOTS = 16_384;
const run = promisify(execFile);

/**
 * A private Redis Cluster of `masters` redis-server processes on free ports (client and cluster
 * bus), no replicas and no persistence, with its config files under the OS temp dir. Resolves
 * once every node reports `cluster_state:ok` with all 16384 slots assigned.
 */
export async function startThrowawayRedisCluster(
  options: ThrowawayRedisClusterOptions = {},
): Promise<ThrowawayRedisCluster> {
  const {
    masters = 3,
    serverCommand = 'redis-server',
    cliCommand = 'redis-cli',
    nodeTimeoutMs = 5_000,
    startTimeoutMs = 15_000,
  } = options;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new Error(`startThrowawayRedisCluster: masters must be an integer ≥ 3, got ${masters}`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'keyway-redis-cluster-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);

  const ports = await distinctFreePorts(masters * 2);
  const nodes = Array.from({ length: masters }, (_, index) => {
    const port = ports[index * 2] as number;
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    const conf = join(nodeDir, 'redis.conf');
    writeFileSync(conf, nodeConfig(port, ports[index * 2 + 1] as number, nodeDir, nodeTimeoutMs));
    return { host: '127.0.0.1', port, conf };
  });
  const servers: (ServiceProcess | undefined)[] = nodes.map(() => undefined);

  const startNode = async (index: number): Promise<void> => {
    const node = nodes[index];
    if (!node) throw new Error(`startThrowawayRedisCluster: no node ${index}`);
    const started = spawnService(serverCommand, [node.conf]);
    servers[index] = started;
    await pollUntil(`redis-server on port ${node.port}`, () => redisAnswers(node.port), {
      timeoutMs: startTimeoutMs,
      gaveUp: () => (started.isRunning() ? undefined : `exited early:\n${started.output()}`),
    });
  };
  const allOk = (): Promise<void> =>
    pollUntil(
      'Redis Cluster state ok on every node',
      async () =>
        (await Promise.all(nodes.map(({ port }) => clusterOk(port, masters)))).every(Boolean),
      { timeoutMs: startTimeoutMs, intervalMs: 100 },
    );
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server?.terminate('SIGTERM', 5_000)));
    process.removeListener('exit', removeDir);
    removeDir();
  };

  try {
    await Promise.all(nodes.map((_, index) => startNode(index)));
    const addresses = nodes.map(({ host, port }) => `${host}:${port}`);
    await run(
      cliCommand,
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      {
        timeout: startTimeoutMs,
      },
    ).catch((error: unknown) => {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`redis-cli --cluster create failed:\n${stdout ?? ''}${stderr ?? ''}`, {
        cause: error,
      });
    });
    await allOk();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes: nodes.map(({ host, port }) => ({ host, port })),
    kill: async (index) => {
      await servers[index]?.terminate('SIGKILL');
    },
    restart: async (index) => {
      await servers[index]?.terminate('SIGTERM', 5_000);
      await startNode(index);
      await allOk();
    },
    stop,
  };
}

function nodeConfig(port: number, busPort: number, dir: string, nodeTimeoutMs: number): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'daemonize no',
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    'cluster-enabled yes',
    `cluster-port ${busPort}`,
    // Cluster membership and slots survive a restart here; the data does not.
    `cluster-config-file ${join(dir, 'nodes.conf')}`,
    `cluster-node-timeout ${nodeTimeoutMs}`,
    '',
  ].join('\n');
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function redisAnswers(port: number): Promise<boolean> {
  try {
    return (await tcpExchange('127.0.0.1', port, 'PING\r\n', 500)).startsWith('+PONG');
  } catch {
    return false;
  }
}

/** Whether the node at `port` sees a healthy cluster: every slot served, every node known. */
async function clusterOk(port: number, masters: number): Promise<boolean> {
  try {
    const info = await tcpExchange('127.0.0.1', port, 'CLUSTER INFO\r\n', 500);
    return (
      info.includes('cluster_state:ok') &&
      info.includes(`cluster_slots_assigned:${SLOTS}`) &&
      info.includes(`cluster_slots_ok:${SLOTS}`) &&
      info.includes(`cluster_known_nodes:${masters}`)
    );
  } catch {
    return false;
  }
}
