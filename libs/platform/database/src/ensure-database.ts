import { Client } from 'pg';
import { type PostgresConnection } from '@keyway/platform-config';

const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/** Creates the service's database on its Postgres server if it does not exist yet. */
export async function ensureDatabase(connection: PostgresConnection): Promise<void> {
  const client = new Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      connection.database,
    ]);
    if (found.rowCount) return;
    // The name is validated by the config schema (lowercase, digits, underscore).
    await client.query(`CREATE DATABASE "${connection.database}"`);
  } catch (error) {
    // Another replica created it at the same moment.
    const code = (error as { code?: string }).code;
    if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
  } finally {
    await client.end();
  }
}
