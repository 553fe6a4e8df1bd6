import { Client } from 'pg';
import { createDatabase, dropDatabase } from './test-database';
import { uniqueName } from './unique-name';

// Against the shared Postgres (POSTGRES_*): creates and drops its own database only.
describe('createDatabase / dropDatabase', () => {
  const name = uniqueName('testing_db');
  afterAll(async () => {
    await dropDatabase(name);
  });

  const exists = async (): Promise<boolean> => {
    const client = new Client({
      host: process.env['POSTGRES_HOST'],
      port: Number(process.env['POSTGRES_PORT'] ?? 5432),
      user: process.env['POSTGRES_USER'],
      password: process.env['POSTGRES_PASSWORD'] ?? '',
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        name,
      ]);
      return rowCount === 1;
    } finally {
      await client.end();
    }
  };

  it('creates an empty database and returns how to reach it', async () => {
    const database = await createDatabase(name);
    expect(database).toMatchObject({ database: name, host: process.env['POSTGRES_HOST'] });

    const client = new Client(database);
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows).toEqual([{ db: name }]);

    // Dropping works even while someone is still connected.
    client.on('error', () => undefined);
    await dropDatabase(name);
    await client.end().catch(() => undefined);
    expect(await exists()).toBe(false);
  });

  it('dropping a database that does not exist is fine', async () => {
    await expect(dropDatabase(uniqueName('never_created'))).resolves.toBeUndefined();
  });
});
