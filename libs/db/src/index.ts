export { createDataSource, withDataSource, type DataSourceOptions } from './data-source';
export { Database, databaseDependency, type DatabaseOptions } from './database';
export { pingDatabase, runMigrations } from './migrate';
/** The type only, so callers can hold a DataSource without importing TypeORM themselves. */
export type { DataSource } from 'typeorm';
