import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { counter } from '../metrics';
import { AUTHENTICATE_ANY, compileRoutePolicy, type RoutePolicy } from './route-policy';

const reloads = counter(
  'keyway_gateway_route_policy_reloads_total',
  'Route policy reloads by outcome (a failed one keeps the policy in force)',
  ['outcome'],
);

/**
 * The route policy in force. Loaded at start (an invalid file stops the process with the
 * reason), then reloaded when the file changes or on SIGHUP. A reload swaps one reference, so
 * requests in flight finish under the old policy and none is dropped; an invalid new file is
 * logged and the old policy stays.
 */
@Injectable()
export class RoutePolicySource implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RoutePolicySource.name);
  private policy: RoutePolicy = AUTHENTICATE_ANY;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly onHangup = () => this.reload('SIGHUP');

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  get current(): RoutePolicy {
    return this.policy;
  }

  onModuleInit(): void {
    const file = this.config.routePolicyFile;
    if (file === null) return;
    try {
      this.policy = compileRoutePolicy(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`GATEWAY_ROUTE_POLICY_FILE ${file}: ${(error as Error).message}`);
    }
    this.logger.log(`route policy ${file}: ${this.policy.routeCount} route(s)`);
    // The directory is watched, not the file: editors and Kubernetes ConfigMaps replace files.
    this.watcher = watch(dirname(file), (_event, name) => {
      if (name !== null && name !== basename(file) && !name.startsWith('..')) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload('file change'), 100);
    });
    this.watcher.on('error', (error) => this.logger.warn(`watching ${file}: ${String(error)}`));
    process.on('SIGHUP', this.onHangup);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    process.off('SIGHUP', this.onHangup);
  }

  reload(reason: string): void {
    const file = this.config.routePolicyFile;
    if (file === null) return;
    try {
      this.policy = compileRoutePolicy(readFileSync(file, 'utf8'));
      reloads.inc({ outcome: 'loaded' });
      this.logger.log(`route policy reloaded (${reason}): ${this.policy.routeCount} route(s)`);
    } catch (error) {
      reloads.inc({ outcome: 'rejected' });
      this.logger.error(
        `route policy not reloaded (${reason}), keeping the previous one: ${(error as Error).message}`,
      );
    }
  }
}
