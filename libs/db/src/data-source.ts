import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

// TypeORM's own option types: entity and migration classes are constructors of any shape.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

export interface DataSourceOptions {
  /** `postgres://user:pass@host:port/db` */
  url: string;
  /** Explicit lists, never globs: a missing entity should fail the build, not a query at run time. */
  entities: MixedList<AnyClass | string | EntitySchema>;
  migrations: MixedList<AnyClass | string>;
  /** Connection pool size. */
  poolSize?: number;
  /** Postgres schema; tests use one per test. */
  schema?: string;
  applicationName?: string;
}

/**
 * The only place a TypeORM DataSource is built. `synchronize` is always off: the schema changes only
 * through migrations, run by `runMigrations` (at start-up or by each app's CLI `migrate`).
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'matrix-gateway',
    extra: { connectionTimeoutMillis: 5_000 },
  });
}

/** Connects, runs `fn`, and disconnects whatever happens: for one-shot work such as a CLI command. */
export async function withDataSource<T>(
  options: DataSourceOptions,
  fn: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    return await fn(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
