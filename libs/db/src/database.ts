import type { DataSource } from 'typeorm';
import { createDataSource, type DataSourceOptions } from './data-source';
import { pingDatabase, runMigrations } from './migrate';

export interface DatabaseOptions extends DataSourceOptions {
  /** Apply pending migrations once connected (under the advisory lock). */
  migrateOnConnect?: boolean;
  /** Called for each failed connection attempt, to log it. */
  onConnectError?: (err: unknown, attempt: number) => void;
}

/**
 * A database the app can start without: it connects (and migrates) in the background with backoff,
 * so the service comes up, reports 503 on `/ready` while Postgres is away, and recovers by itself.
 */
export class Database {
  readonly dataSource: DataSource;
  /** Resolves once connected and migrated; never rejects (it retries until closed). */
  readonly connected: Promise<void>;
  private closed = false;
  private migrated = false;

  constructor(private readonly options: DatabaseOptions) {
    this.dataSource = createDataSource(options);
    this.connected = this.connectLoop();
  }

  /** Connected and, when asked to migrate, migrated: ready for queries against the current schema. */
  get isConnected(): boolean {
    return this.dataSource.isInitialized && this.migrated;
  }

  async ping(): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('not connected');
    if (!this.migrated) throw new Error('migrating');
    await pingDatabase(this.dataSource);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.dataSource.initialize();
        if (this.options.migrateOnConnect === true) await runMigrations(this.dataSource);
        this.migrated = true;
        return;
      } catch (err) {
        this.options.onConnectError?.(err, attempt);
        if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** Math.min(attempt, 5), 10_000)));
      }
    }
  }
}

/** The database as an app dependency (the shape `DependenciesModule` of @gateway/server takes). */
export function databaseDependency(options: DatabaseOptions) {
  return {
    provide: Database,
    name: 'database',
    create: (): Database => new Database(options),
    ping: (db: Database) => db.ping(),
    close: (db: Database) => db.close(),
  };
}
