import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Where the machine's Postgres is; `TEST_DATABASE_URL` points at any database the user may create from. */
export function adminDatabaseUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * A fresh, empty database for one test (or one test file); drop() removes it and its connections.
 * `collation: 'C'` makes one Synapse accepts (it refuses other collations).
 */
export async function createTestDatabase(
  prefix = 'gw_test',
  options: { collation?: 'C' } = {},
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = adminDatabaseUrl();
  const locale =
    options.collation === 'C' ? ` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'` : '';
  await withClient(admin, async (client) => {
    await client.query(`CREATE DATABASE "${name}"${locale}`);
  });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withClient(admin, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

async function withClient(url: string, fn: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/** The rows of one query on the database at `url` (a test's look at what a command wrote). */
export async function queryRows<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  let rows: T[] = [];
  await withClient(url, async (client) => {
    rows = (await client.query(sql, params)).rows as T[];
  });
  return rows;
}
