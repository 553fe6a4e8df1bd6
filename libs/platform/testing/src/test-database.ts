import { Client } from 'pg';
import { postgresFromEnv } from './services-from-env';
import type { PostgresConnection } from './test-services';

export interface DatabaseConnection extends PostgresConnection {
  readonly database: string;
}

/**
 * Creates an empty database on the configured Postgres (POSTGRES_* env, or `server`) and returns
 * how to reach it. Pair with dropDatabase in afterAll; name it with uniqueName().
 */
export async function createDatabase(
  name: string,
  server: PostgresConnection = postgresFromEnv(),
): Promise<DatabaseConnection> {
  await onMaintenanceDb(server, async (client) => {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  });
  return { ...server, database: name };
}

/** Drops the database if it exists, disconnecting anyone still using it. */
export async function dropDatabase(
  name: string,
  server: PostgresConnection = postgresFromEnv(),
): Promise<void> {
  await onMaintenanceDb(server, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

async function onMaintenanceDb(
  server: PostgresConnection,
  work: (client: Client) => Promise<void>,
): Promise<void> {
  const client = new Client({ ...server, database: 'postgres' });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
