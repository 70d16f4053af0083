export { createDataSource, type DataSourceOptions } from './data-source';
export { Database, databaseDependency, type DatabaseOptions } from './database';
export { pingDatabase, runMigrations } from './migrate';
