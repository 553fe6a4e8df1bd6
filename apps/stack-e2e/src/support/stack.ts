import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { BootstrapResult } from '@keyway/contracts';
import { dropDatabase, postgresFromEnv, uniqueName } from '@keyway/platform-testing';
import { Api } from './api';
import {
  identityCommand,
  type ServiceName,
  type ServiceProcess,
  startService,
} from './service-process';

// Suites written before the contract had it import it from here.
export type { BootstrapResult };

/**
 * The three services on their own databases and consumer groups, sharing Kafka and Redis (or a
 * throwaway broker given in `kafkaBrokers`).
 */
export class Stack {
  readonly pepper = randomBytes(32).toString('base64url');
  readonly identityDb = uniqueName('e2e_identity');
  readonly auditDb = uniqueName('e2e_audit');
  readonly groupPrefix = uniqueName('e2e');
  readonly services = new Map<ServiceName, ServiceProcess>();
  /** Extra replicas (a second identity, say), stopped with the stack. */
  readonly replicas: ServiceProcess[] = [];
  readonly redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  private audit: Client | undefined;
  private identity: Client | undefined;

  constructor(
    private kafkaBrokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  /** Another replica of a service on the same databases and consumer groups. */
  async startReplica(
    name: ServiceName,
    extraEnv: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const replica = await startService(name, { ...this.env(name), ...extraEnv });
    this.replicas.push(replica);
    return replica;
  }

  /** identity's HTTP API, as `key` when given. */
  identityApi(key?: string): Api {
    return new Api(this.service('identity').url, key);
  }

  async identityDatabase(): Promise<Client> {
    if (!this.identity) {
      this.identity = new Client({ ...postgresFromEnv(), database: this.identityDb });
      await this.identity.connect();
    }
    return this.identity;
  }

  env(name: ServiceName | 'identity-command'): Record<string, string> {
    const database = name === 'audit' ? this.auditDb : this.identityDb;
    return {
      ...this.extraEnv,
      KAFKA_BROKERS: this.kafkaBrokers,
      KAFKA_GROUP_ID: `${this.groupPrefix}-${name}`,
      KEYWAY_PEPPER: this.pepper,
      POSTGRES_DATABASE: database,
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...(name === 'audit' && this.services.has('gateway')
        ? { AUDIT_GATEWAY_URL: this.service('gateway').url }
        : {}),
    };
  }

  /** Starts services side by side; audit last, pointed at the stack's gateway when it runs. */
  async start(...names: ServiceName[]): Promise<void> {
    const first = names.filter((name) => name !== 'audit');
    await Promise.all(
      first.map(async (name) => this.services.set(name, await startService(name, this.env(name)))),
    );
    if (names.includes('audit'))
      this.services.set('audit', await startService('audit', this.env('audit')));
  }

  /** Stops one service of the stack (SIGTERM); `start` brings it back on the same databases. */
  async stopService(name: ServiceName): Promise<void> {
    await this.service(name).stop();
    this.services.delete(name);
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  bootstrap(): BootstrapResult {
    const result = identityCommand(
      ['bootstrap', '--workspace', 'e2e', '--json'],
      this.env('identity-command'),
    );
    if (result.status !== 0) throw new Error(`bootstrap failed: ${result.stderr}`);
    return BootstrapResult.parse(JSON.parse(result.stdout));
  }

  async auditDatabase(): Promise<Client> {
    if (!this.audit) {
      this.audit = new Client({ ...postgresFromEnv(), database: this.auditDb });
      await this.audit.connect();
    }
    return this.audit;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.services.values(), ...this.replicas].map((service) => service.stop()),
    );
    this.services.clear();
    await this.audit?.end();
    await this.identity?.end();
    this.redis.disconnect();
    await dropDatabase(this.identityDb);
    await dropDatabase(this.auditDb);
  }
}
