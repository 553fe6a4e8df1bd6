import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { AUDIT_CONFIG, type AuditConfig } from '../../config';
import { TrailQueryError } from '../trail-query.errors';

/**
 * The Postgres connections exports stream from: their own small pool, so that long exports never
 * take the connections queries and ingest need. A caller waits `AUDIT_EXPORT_WAIT_MS` at most.
 */
@Injectable()
export class ExportConnections implements OnModuleDestroy {
  private readonly logger = new Logger(ExportConnections.name);
  private readonly pool: Pool;

  constructor(@Inject(AUDIT_CONFIG) config: AuditConfig) {
    const { postgres } = config;
    this.pool = new Pool({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      ...(postgres.password === undefined ? {} : { password: postgres.password }),
      database: postgres.database,
      application_name: 'keyway-audit-export',
      max: config.exports.connections,
      connectionTimeoutMillis: Math.max(1, config.exports.waitMs),
      idleTimeoutMillis: 10_000,
    });
    // An idle connection that dies (a Postgres restart) is dropped; the next export opens another.
    this.pool.on('error', (error) => this.logger.warn(`idle export connection: ${error.message}`));
  }

  async acquire(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      if (error instanceof Error && /timeout/i.test(error.message)) {
        throw TrailQueryError.exportBusy(1);
      }
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
