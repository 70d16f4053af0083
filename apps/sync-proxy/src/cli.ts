/**
 * Operator commands: `node dist/apps/sync-proxy/cli.js <command>`, configured by the same environment
 * as the proxy (SYNCV3_*).
 *   migrate        apply pending database migrations (the proxy also does this at start, under a lock)
 *   config check   parse and validate the configuration
 *   prune          run one pruning pass now (the proxy runs one every 10 minutes)
 */
import { ConfigError } from '@gateway/config';
import { runMigrations, withDataSource, type DataSource } from '@gateway/db';
import { SYNC_ENTITIES, SYNC_MIGRATIONS, SyncStore } from '@gateway/sync-data';
import { loadSyncConfig, type SyncConfig } from './config';

const USAGE = 'usage: cli.js migrate | config check | prune';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function withDatabase<T>(config: SyncConfig, fn: (dataSource: DataSource) => Promise<T>): Promise<T> {
  return withDataSource(
    {
      url: config.databaseUrl,
      entities: SYNC_ENTITIES,
      migrations: SYNC_MIGRATIONS,
      poolSize: 2,
      applicationName: 'sync-proxy-cli',
    },
    fn,
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  const config = loadSyncConfig(process.env);
  if (command === 'config' && sub === 'check') {
    out(
      `configuration OK: upstream ${config.upstream}, listening on ${config.bind.host}:${String(config.bind.port)}`,
    );
    return 0;
  }
  if (command === 'migrate') {
    const applied = await withDatabase(config, runMigrations);
    out(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
    return 0;
  }
  if (command === 'prune') {
    const report = await withDatabase(config, (ds) => new SyncStore(ds).prune.run());
    out(`pruned: ${JSON.stringify(report)}`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError
        ? `sync-proxy: ${err.message}\n`
        : `sync-proxy: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
