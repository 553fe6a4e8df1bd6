// Drops databases left behind by test runs that were killed before their own clean-up
// (names from uniqueName('e2e_…') / uniqueName('int_…') / bench runs).
import pg from 'pg';

const client = new pg.Client({
  host: process.env.POSTGRES_HOST ?? '127.0.0.1',
  port: Number(process.env.POSTGRES_PORT ?? 5432),
  user: process.env.POSTGRES_USER ?? 'postgres',
  password: process.env.POSTGRES_PASSWORD,
  database: 'postgres',
});
await client.connect();
const { rows } = await client.query(
  `SELECT datname FROM pg_database WHERE datname ~ '^(e2e|int|bench)_[a-z0-9_]+$'`,
);
for (const { datname } of rows) {
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
}
await client.end();
if (rows.length > 0) console.error(`dropped ${rows.length} leftover test database(s)`);
