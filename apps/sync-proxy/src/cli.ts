/**
 * Operator commands: `node dist/apps/sync-proxy/cli.js <command>`, configured by the same environment
 * as the proxy (SYNCV3_*).
 *   migrate        apply pending database migrations (the proxy also does this at start, under a lock)
 *   config check   parse and validate the configuration
 *   prune          run one pruning pass now (the proxy runs one every 10 minutes)
 */
import { runMigrations, withDataSource, type DataSource } from '@gateway/db';
import { cliMain, migrateCommand } from '@gateway/util';
import { SYNC_ENTITIES, SYNC_MIGRATIONS, SyncStore } from '@gateway/sync-data';
import { loadSyncConfig, type SyncConfig } from './config';

cliMain<SyncConfig, DataSource>({
  name: 'sync-proxy',
  loadConfig: loadSyncConfig,
  withDatabase: (config, fn) =>
    withDataSource(
      {
        url: config.databaseUrl,
        entities: SYNC_ENTITIES,
        migrations: SYNC_MIGRATIONS,
        poolSize: 2,
        applicationName: 'sync-proxy-cli',
      },
      fn,
    ),
  commands: [
    migrateCommand(runMigrations),
    {
      name: 'config check',
      summary: 'parse and validate the configuration',
      run: ({ config, out }) => {
        out(
          `configuration OK: upstream ${config.upstream}, listening on ${config.bind.host}:${String(config.bind.port)}`,
        );
        return 0;
      },
    },
    {
      name: 'prune',
      summary: 'run one pruning pass now',
      run: async ({ withDatabase, out }) => {
        const report = await withDatabase((ds) => new SyncStore(ds).prune.run());
        out(`pruned: ${JSON.stringify(report)}`);
        return 0;
      },
    },
  ],
});
