import { MigrationExecutor, type DataSource } from 'typeorm';

// Any constant works as long as every replica of every app uses the same one per database.
const MIGRATION_LOCK = 0x6d677731; // "mgw1"

/**
 * Applies pending migrations under a Postgres advisory lock, so several replicas starting at once run
 * them exactly once; the others wait and then find nothing to do. Returns the names applied.
 * The migrations run on the connection that holds the lock: on a second one, a pool of one connection
 * (`SYNCV3_MAX_DB_CONN=1`, which the Go proxy accepts) waited for itself and the service never started.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** A cheap round trip for readiness probes. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}
