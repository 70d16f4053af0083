import type { DataSource } from 'typeorm';

/** The part of node-postgres's Pool that a named query needs. */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * One statement of a hot path, run as a named query on the DataSource's own node-postgres pool: each
 * pooled connection parses and plans it once and then only binds values, and the call skips TypeORM's
 * per-query QueryRunner. For the few statements every request runs (introspection); everything else
 * goes through TypeORM as usual. `name` must be unique to `text` (Postgres keeps one plan per name on
 * each connection).
 */
export async function queryPrepared<R>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  // PostgresDriver keeps its pool in `master` (typeorm/driver/postgres/PostgresDriver.d.ts); it is
  // set once the DataSource has connected. Before that, TypeORM's own query answers (and fails) as it would.
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  // Both return the rows as node-postgres parsed them; their shape is the statement's.
  if (pool === undefined) return dataSource.query(text, values);
  return (await pool.query({ name, text, values })).rows as R[];
}
