import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';

export interface ThrowawayKafka {
  /** `['127.0.0.1:<port>']`, for kafkajs or KAFKA_BROKERS (join with ','). */
  readonly brokers: readonly string[];
  readonly port: number;
  readonly controllerPort: number;
  /** KAFKA_DATA_DIR: data, broker.log, broker.pid. */
  readonly dataDir: string;
  /** SIGKILL the broker (KAFKA_STOP_SIGNAL=KILL tools/kafka/stop.sh); data is kept. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports and data (a no-op if it runs). */
  start(): Promise<void>;
  /** Controlled shutdown (SIGTERM); data is kept, so start() resumes it. */
  stop(): Promise<void>;
  /** Stops the broker and deletes its data dir. Call it in afterAll. */
  wipe(): Promise<void>;
}

export interface ThrowawayKafkaOptions {
  /** Passed to start.sh as KAFKA_START_TIMEOUT (default 90 s). */
  readonly startTimeoutSeconds?: number;
}

const run = promisify(execFile);

/**
 * A private single-node KRaft broker from tools/kafka/start.sh on free ports and a temp data dir,
 * for tests that kill or restart Kafka. The shared broker (KAFKA_BROKERS) is never touched.
 */
export async function startThrowawayKafka(
  options: ThrowawayKafkaOptions = {},
): Promise<ThrowawayKafka> {
  const tools = join(repoRoot(), 'tools', 'kafka');
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'keyway-kafka-'));
  const cleanUp = guardProcessExit(dataDir);

  const script = async (name: string, extraEnv: Record<string, string> = {}): Promise<void> => {
    const { KAFKA_STOP_SIGNAL: _inherited, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_DATA_DIR: dataDir,
      ...(options.startTimeoutSeconds === undefined
        ? {}
        : { KAFKA_START_TIMEOUT: String(options.startTimeoutSeconds) }),
      ...extraEnv,
    };
    try {
      await run('bash', [join(tools, name)], { env, cwd: tools, maxBuffer: 8 * 1024 * 1024 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(
        `tools/kafka/${name} failed (KAFKA_PORT=${port}, KAFKA_DATA_DIR=${dataDir}):\n` +
          `${stdout ?? ''}${stderr ?? ''}`.trim(),
        { cause: error },
      );
    }
  };

  const start = (): Promise<void> => script('start.sh');
  try {
    await start();
  } catch (error) {
    await script('wipe.sh', { KAFKA_STOP_SIGNAL: 'KILL' }).catch(() => undefined);
    cleanUp();
    throw error;
  }

  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    controllerPort,
    dataDir,
    kill: () => script('stop.sh', { KAFKA_STOP_SIGNAL: 'KILL' }),
    start,
    stop: () => script('stop.sh'),
    wipe: async () => {
      await script('wipe.sh');
      cleanUp();
    },
  };
}

/**
 * start.sh detaches the broker (setsid), so it would outlive a crashed or interrupted test run:
 * kill it and delete its data when this process exits. Returns the normal-path clean-up.
 */
function guardProcessExit(dataDir: string): () => void {
  const onExit = (): void => {
    try {
      const pid = Number(readFileSync(join(dataDir, 'broker.pid'), 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // No broker running.
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return () => {
    process.removeListener('exit', onExit);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
