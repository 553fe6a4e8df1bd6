import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { type PostgresConnection } from '@keyway/platform-config';
import { ensureDatabase } from './ensure-database';

export interface DatabaseOptions {
  connection: PostgresConnection;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** Application name shown in pg_stat_activity. */
  applicationName: string;
}

/** Arbitrary but fixed: serialises migration runs of every replica of one service. */
const MIGRATION_LOCK_ID = 0x6b6579; // "key"

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const { connection } = options;
  return {
    type: 'postgres',
    host: connection.host,
    port: connection.port,
    username: connection.user,
    ...(connection.password === undefined ? {} : { password: connection.password }),
    database: connection.database,
    applicationName: options.applicationName,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    poolSize: connection.poolSize,
    extra: { connectionTimeoutMillis: 5_000 },
  };
}

/**
 * Creates the database if missing, connects and applies pending migrations. Replicas starting
 * together take turns through an advisory lock, so each migration runs exactly once.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  await ensureDatabase(options.connection);
  const dataSource = await new DataSource(dataSourceOptions(options)).initialize();
  try {
    await runMigrationsLocked(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await runner.release();
  }
}
